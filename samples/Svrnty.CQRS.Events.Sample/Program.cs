using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;

// A tour of the library: append to a stream, replay it, then enqueue, dequeue and acknowledge.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddInMemoryEventStorage();
using var host = builder.Build();
await host.StartAsync();

var store = host.Services.GetRequiredService<IEventStreamStore>();
var offsets = host.Services.GetRequiredService<IConsumerOffsetStore>();

// Persistent stream: every event gets a gapless offset; expectedLength guards against concurrent writers.
var stream = "order-42";
var placed = new OrderPlaced("42", 99.90m) { CorrelationId = "checkout-1" };
Console.WriteLine($"append OrderPlaced        -> offset {await store.AppendAsync(stream, [placed], expectedLength: 0)}");
Console.WriteLine($"append OrderPaid          -> offset {await store.AppendAsync(stream, new OrderPaid("42", 99.90m))}");
Console.WriteLine($"append OrderPlaced again  -> offset {await store.AppendAsync(stream, placed)} (idempotent: same EventId)");
try
{
    await store.AppendAsync(stream, [new OrderShipped("42")], expectedLength: 0);
}
catch (StreamConcurrencyException e)
{
    Console.WriteLine($"append with stale length  -> {e.GetType().Name}: expected {e.ExpectedLength}, actual {e.ActualLength}");
}

// Replay from any offset.
foreach (var stored in await store.ReadStreamAsync(stream, fromOffset: 0, maxCount: 100))
{
    Console.WriteLine($"replay [{stored.Offset}] {stored.EventType} {stored.Event}");
}

var metadata = await store.GetStreamMetadataAsync(stream);
Console.WriteLine($"metadata: length {metadata.Length}, retained {metadata.RetainedCount}, newest offset {metadata.NewestEventOffset}");

// A consumer group records where it is, so it resumes after a restart.
await offsets.CommitOffsetAsync(stream, "billing", nextOffset: metadata.Length);
Console.WriteLine($"billing resumes at offset {await offsets.GetOffsetAsync(stream, "billing")}");

// Ephemeral queue: a lease (visibility timeout) per delivery, then an acknowledgement.
var queue = "emails";
await store.EnqueueAsync(queue, new SendReceipt("42", "buyer@example.com"));
var message = await store.DequeueAsync(queue, consumerId: "worker-1", visibilityTimeout: TimeSpan.FromSeconds(30));
Console.WriteLine($"dequeue -> {message?.Event} (delivery {message?.DeliveryCount}, leased until {message?.VisibleUntil:O})");
Console.WriteLine($"ack     -> {await store.AcknowledgeAsync(queue, message!.EventId, "worker-1")}; pending {await store.GetPendingCountAsync(queue)}");

await host.StopAsync();

internal sealed record OrderPlaced(string OrderId, decimal Total) : CorrelatedEvent;

internal sealed record OrderPaid(string OrderId, decimal Amount) : CorrelatedEvent;

internal sealed record OrderShipped(string OrderId) : CorrelatedEvent;

internal sealed record SendReceipt(string OrderId, string To) : CorrelatedEvent;
