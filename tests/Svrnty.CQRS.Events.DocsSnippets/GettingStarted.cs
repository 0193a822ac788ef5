using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;

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

// Called for every event of the stream, in order, by a hosted consumer; the offset is committed after each batch.
public sealed class OrderTotalsProjection(OrderTotals totals) : IEventStreamHandler
{
    public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken)
    {
        if (storedEvent.Event is OrderPlaced placed)
        {
            totals.ByOrder[placed.OrderId] = placed.Total; // idempotent: an event handled twice sets the same value
        }

        return Task.CompletedTask;
    }
}

// Called for every message of the queue; returning acknowledges it, throwing gives it back for a redelivery
// (dead-lettered after MaxDeliveryAttempts deliveries, 5 by default).
public sealed class ReceiptSender(SentReceipts sent) : IQueueMessageHandler
{
    public Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken)
    {
        if (message.Event is SendReceipt receipt)
        {
            sent.OrderIds.Enqueue(receipt.OrderId);
        }

        return Task.CompletedTask;
    }
}
#endregion

public sealed class SentReceipts
{
    public ConcurrentQueue<string> OrderIds { get; } = new();
}

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
        builder.Services.AddEventStreamConsumer<OrderTotalsProjection>("orders", consumerGroup: "order-totals");
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
        await store.AppendAsync("orders", new OrderPlaced("43", 12m), ct); // OrderTotalsProjection sees it in the background
        await store.EnqueueAsync("receipts", new SendReceipt("43"), ct);    // ReceiptSender handles and acknowledges it
        #endregion

        var totals = host.Services.GetRequiredService<OrderTotals>();
        var sent = host.Services.GetRequiredService<SentReceipts>();
        await Deadline.UntilAsync(() => totals.ByOrder.ContainsKey("43") && sent.OrderIds.Contains("43"), "the projection and the receipt sender handled order 43");
        await Deadline.UntilAsync(() => host.Services.GetRequiredService<IConsumerOffsetStore>().GetOffsetAsync("orders", "order-totals", ct),
            offset => offset == 1, "the projection committed its offset");
        await host.StopAsync(ct);
    }
}
