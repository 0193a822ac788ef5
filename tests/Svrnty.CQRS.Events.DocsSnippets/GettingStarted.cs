#region getting-started-usings
using System.Collections.Concurrent;
using Svrnty.CQRS.Events.Abstractions; // events, the store, handlers, LogStreams
// An ASP.NET app has these implicitly; a console app (Host.CreateApplicationBuilder) needs them too:
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
#endregion

namespace Svrnty.CQRS.Events.DocsSnippets;

#region getting-started-events
public sealed record OrderPlaced(string OrderId, decimal Total) : CorrelatedEvent; // EventId (a UUIDv7) and OccurredAt are filled in

public sealed record SendReceipt(string OrderId) : CorrelatedEvent;
#endregion

#region getting-started-handlers
// A read model the projection keeps (a singleton; a table in a real application).
public sealed class OrderTotals
{
    public ConcurrentDictionary<string, decimal> ByOrder { get; } = new();
}

// Called by a hosted consumer for the OrderPlaced events of what it follows (here the category log $ce-order: every
// order-* stream), in order; events of other types are passed over. Its position is committed after each batch.
// storedEvent.StreamName and Offset are the event's own (order-43, 0); storedEvent.Position is its place in the log.
public sealed class OrderTotalsProjection(OrderTotals totals) : IEventStreamHandler<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced placed, StoredEvent storedEvent, CancellationToken cancellationToken)
    {
        totals.ByOrder[placed.OrderId] = placed.Total; // idempotent: an event handled twice sets the same value
        return Task.CompletedTask;
    }
}

// Called for each SendReceipt message of the queue (messages of other types are acknowledged without a call);
// returning acknowledges it, throwing gives it back for a redelivery (dead-lettered after MaxDeliveryAttempts
// deliveries, 5 by default).
public sealed class ReceiptSender(SentReceipts sent) : IQueueMessageHandler<SendReceipt>
{
    public Task HandleAsync(SendReceipt receipt, DequeuedEvent delivery, CancellationToken cancellationToken)
    {
        sent.OrderIds.Enqueue(receipt.OrderId);
        return Task.CompletedTask;
    }
}

// What the receipt sender has sent (a singleton; an e-mail service in a real application).
public sealed class SentReceipts
{
    public ConcurrentQueue<string> OrderIds { get; } = new();
}
#endregion

/// <summary>Runs the steps of docs/getting-started.md, in order, on the in-memory backend.</summary>
public sealed class GettingStartedTests
{
    [Fact]
    public async Task The_getting_started_steps_do_what_the_page_says()
    {
        var ct = CancellationToken.None;
        #region getting-started-register
        var builder = Host.CreateApplicationBuilder(); // or WebApplication.CreateBuilder(args)
        builder.Services.AddInMemoryEventStorage();
        #endregion

        #region getting-started-register-consumers
        builder.Services.AddSingleton<OrderTotals>();
        // Follows every order-* stream through their category's log, "$ce-order", which the store keeps.
        builder.Services.AddEventStreamConsumer<OrderTotalsProjection>(LogStreams.Category("order"), consumerGroup: "order-totals");
        builder.Services.AddSingleton<SentReceipts>();
        builder.Services.AddQueueConsumer<ReceiptSender>("receipts", options => options.Concurrency = 2);
        #endregion

        using var host = builder.Build();
        await host.StartAsync(ct);
        var store = host.Services.GetRequiredService<IEventStreamStore>();
        var conflicts = 0;

        #region getting-started-append-read
        // expectedLength 0: the stream must not exist yet. The returned value is the event's offset (0 here).
        long offset = await store.AppendAsync("order-42", [new OrderPlaced("42", 99.90m)], expectedLength: 0, ct);
        try
        {
            await store.AppendAsync("order-42", [new OrderPlaced("42", 10m)], expectedLength: 0, ct);
        }
        catch (StreamConcurrencyException conflict) // nothing was written: read again, decide again
        {
            conflicts++;
            Console.WriteLine($"expected length {conflict.ExpectedLength}, actual {conflict.ActualLength}");
        }

        IReadOnlyList<StoredEvent> events = await store.ReadStreamAsync("order-42", fromOffset: 0, maxCount: 100, ct);
        StreamMetadata metadata = await store.GetStreamMetadataAsync("order-42", ct); // Length 1, RetainedCount 1
        #endregion

        Assert.Equal(0, offset);
        Assert.Equal(1, conflicts);
        Assert.Equal(99.90m, Assert.IsType<OrderPlaced>(Assert.Single(events).Event).Total);
        Assert.Equal((1L, 1L), (metadata.Length, metadata.RetainedCount));

        var handled = false;
        #region getting-started-queue
        await store.EnqueueAsync("work", new SendReceipt("42"), ct);

        // Lease the oldest message for 30 s: no other consumer gets it meanwhile; if the lease runs out before the
        // acknowledgement, it is delivered again (DeliveryCount + 1).
        DequeuedEvent? message = await store.DequeueAsync("work", consumerId: "worker-1", TimeSpan.FromSeconds(30), ct);
        if (message is not null)
        {
            handled = message.Event is SendReceipt; // ... do the work, then:
            await store.AcknowledgeAsync("work", message.EventId, "worker-1", ct);
        }
        #endregion

        Assert.True(handled);
        Assert.Equal(0, await store.GetPendingCountAsync("work", ct));

        #region getting-started-use-consumers
        await store.AppendAsync("order-43", new OrderPlaced("43", 12m), ct); // in $ce-order: OrderTotalsProjection sees it
        await store.EnqueueAsync("receipts", new SendReceipt("43"), ct);      // ReceiptSender handles and acknowledges it
        #endregion

        var totals = host.Services.GetRequiredService<OrderTotals>();
        var sent = host.Services.GetRequiredService<SentReceipts>();
        await Deadline.UntilAsync(() => totals.ByOrder.ContainsKey("43") && sent.OrderIds.Contains("43"), "the projection and the receipt sender handled order 43");
        Assert.Equal(99.90m, totals.ByOrder["42"]); // order-42, appended before, is in the category too
        await Deadline.UntilAsync(() => host.Services.GetRequiredService<IConsumerOffsetStore>().GetOffsetAsync(LogStreams.Category("order"), "order-totals", ct),
            offset => offset == 2, "the projection committed its position in $ce-order");

        #region getting-started-read-log
        // Every event of every order-* stream, in the order they became visible: order-42's, then order-43's.
        string log = LogStreams.Category("order"); // "$ce-order"
        IReadOnlyList<StoredEvent> orderEvents = await store.ReadStreamAsync(log, fromOffset: 0, maxCount: 100, ct);
        foreach (var e in orderEvents)
        {
            // "0: order-42 at offset 0", then "1: order-43 at offset 0"
            Console.WriteLine($"{e.Position}: {e.StreamName} at offset {e.Offset}");
        }

        long next = orderEvents[^1].Position + 1; // where to read on: in a log, positions count, not offsets
        #endregion

        Assert.Equal([(0L, "order-42", 0L), (1L, "order-43", 0L)], orderEvents.Select(e => (e.Position, e.StreamName, e.Offset)));
        Assert.Equal(2, next);
        Assert.Empty(await store.ReadStreamAsync(log, next, 100, ct));
        await host.StopAsync(ct);
    }
}
