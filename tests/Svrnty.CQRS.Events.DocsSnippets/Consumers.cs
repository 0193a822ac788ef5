#region consumers-usings
using System.Collections.Concurrent;
using Dapper;                          // the PostgreSQL example's SQL
using Svrnty.CQRS.Events.Abstractions; // handlers, StoredEvent, LogStreams, SubscriptionStart, ReplayOptions
using Svrnty.CQRS.Events.Consumers;    // ConsumerFailureMode
using Svrnty.CQRS.Events.PostgreSQL;   // AsPostgres()
#endregion

namespace Svrnty.CQRS.Events.DocsSnippets.ConsumersPage;

public sealed record OrderShipped(string OrderId) : CorrelatedEvent;

public sealed record OrderPaid(string OrderId) : CorrelatedEvent;

public sealed record CreateInvoice(string OrderId, decimal Total) : CorrelatedEvent;

/// <summary>The read model of the projection example (a table in a real application).</summary>
public sealed class ReadModelDb
{
    public ConcurrentDictionary<string, (decimal Total, bool Shipped, long Version)> Orders { get; } = new();

    public Task UpsertOrderAsync(string orderId, decimal total, long version, CancellationToken cancellationToken)
    {
        Orders.AddOrUpdate(orderId, (total, false, version), (_, row) => row.Version >= version ? row : (total, row.Shipped, version));
        return Task.CompletedTask;
    }

    public Task MarkShippedAsync(string orderId, long version, CancellationToken cancellationToken)
    {
        Orders.AddOrUpdate(orderId, (0m, true, version), (_, row) => row.Version >= version ? row : (row.Total, true, version));
        return Task.CompletedTask;
    }
}

#region consumers-typed-stream-handler
// One class, several event types: the consumer calls the method of each event's type and moves past the other types.
public sealed class OrderProjection(ReadModelDb db) : IEventStreamHandler<OrderPlaced>, IEventStreamHandler<OrderShipped>
{
    // storedEvent.StreamName and Offset are the event's own (order-42, 0): the row's version, to skip a duplicate.
    public Task HandleAsync(OrderPlaced placed, StoredEvent storedEvent, CancellationToken cancellationToken) =>
        db.UpsertOrderAsync(placed.OrderId, placed.Total, storedEvent.Offset, cancellationToken);

    public Task HandleAsync(OrderShipped shipped, StoredEvent storedEvent, CancellationToken cancellationToken) =>
        db.MarkShippedAsync(shipped.OrderId, storedEvent.Offset, cancellationToken);
}
#endregion

#region consumers-untyped-stream-handler
// Every event, whatever its type (an UnknownEvent when the type cannot be resolved).
public sealed class EventCounter : IEventStreamHandler
{
    public ConcurrentDictionary<string, int> ByType { get; } = new();

    public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken)
    {
        ByType.AddOrUpdate(storedEvent.EventType, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
#endregion

#region consumers-typed-queue-handler
// Messages of other types are acknowledged without a call.
public sealed class ReceiptMailer(ILogger<ReceiptMailer> logger) : IQueueMessageHandler<SendReceipt>
{
    public Task HandleAsync(SendReceipt receipt, DequeuedEvent delivery, CancellationToken cancellationToken)
    {
        if (delivery.DeliveryCount > 1)
        {
            logger.LogWarning("Receipt {OrderId}: delivery {Count}", receipt.OrderId, delivery.DeliveryCount);
        }

        return Task.CompletedTask; // ... send it; returning acknowledges it
    }
}
#endregion

#region consumers-transactional-stream-handler
public sealed class Invoicing : ITransactionalEventStreamHandler<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced placed, StoredEvent storedEvent, ConsumerTransaction transaction, CancellationToken cancellationToken)
    {
        transaction.Batch.Enqueue("invoices", new CreateInvoice(placed.OrderId, placed.Total));
        return Task.CompletedTask;
    }
}
#endregion

#region consumers-postgres-handler
public sealed class ShipOrder : ITransactionalQueueMessageHandler<OrderPaid>
{
    public async Task HandleAsync(OrderPaid order, DequeuedEvent delivery, ConsumerTransaction transaction, CancellationToken cancellationToken)
    {
        var sql = transaction.AsPostgres();
        await sql.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO shipments (order_id, carrier) VALUES (@OrderId, @Carrier)",
            new { order.OrderId, Carrier = "ups" }, sql.Transaction, cancellationToken: cancellationToken));
        transaction.Batch.Append($"order-{order.OrderId}", new OrderShipped(order.OrderId));
    }
}
#endregion

/// <summary>A projection rebuilt by the replay example.</summary>
public sealed class ProjectionRebuild
{
    public Task ApplyAsync(StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The registrations and calls of docs/consumers.md: compiled, and the typed projection run.</summary>
public sealed class ConsumersTests
{
    internal static void RegisterStreamConsumer(WebApplicationBuilder builder)
    {
        #region consumers-stream-register
        // Every event of every order-* stream, through the category log "$ce-order" the store keeps.
        builder.Services.AddEventStreamConsumer<OrderProjection>(LogStreams.Category("order"), consumerGroup: "order-read-model", options =>
        {
            options.Start = SubscriptionStart.Beginning;      // where a group that never committed starts
            options.BatchSize = 100;                          // events per read; the offset is committed after each batch
            options.MaxAttempts = 3;                          // handler calls per event before giving up on it
            options.RetryDelay = TimeSpan.FromMilliseconds(200); // doubles per retry, up to MaxRetryDelay
            options.OnFailure = ConsumerFailureMode.Park;     // or Stop
        });
        #endregion
    }

    internal static void RegisterQueueConsumer(WebApplicationBuilder builder)
    {
        #region consumers-queue-register
        builder.Services.AddQueueConsumer<ReceiptSender>("emails", options =>
        {
            options.Concurrency = 4;                          // workers
            options.VisibilityTimeout = TimeSpan.FromSeconds(30); // extended every half timeout while the handler runs
            options.RedeliveryDelay = TimeSpan.FromSeconds(10);   // after a failure; zero = at once
            options.MaxDeliveryAttempts = 3;                  // set on the queue at startup; null (default) keeps its setting
        });
        #endregion
    }

    internal static void RegisterTransactional(WebApplicationBuilder builder)
    {
        #region consumers-transactional-register
        // Backend-neutral: the effect is an enqueue, committed with the offset.
        builder.Services.AddTransactionalEventStreamConsumer<Invoicing>("order-42", consumerGroup: "invoicing");
        #endregion
    }

    internal static void RegisterPostgres(WebApplicationBuilder builder, string connectionString)
    {
        #region consumers-postgres-register
        builder.Services.AddPostgresEventStreaming(o => o.ConnectionString = connectionString);
        builder.Services.AddTransactionalQueueConsumer<ShipOrder>("shipping");
        #endregion
    }

    internal static async Task SubscribeAndReplayAsync(IEventStreamSubscriber subscriber, IConsumerOffsetStore offsets, IEventReplayService replay,
        ProjectionRebuild rebuild, DateTimeOffset since, ILogger logger, CancellationToken ct)
    {
        #region consumers-subscribe-replay
        await foreach (var e in subscriber.SubscribeAsync(LogStreams.All, "exporter", new SubscriptionOptions { PageSize = 500 }, ct))
        {
            await ExportAsync(e, ct); // e.StreamName, e.Offset: the event's own; e.Position: its place in $all
            await offsets.CommitOffsetAsync(LogStreams.All, "exporter", e.Position + 1, ct); // the subscription does not commit
        }

        // Rebuild a projection from every order-* stream, through their category log.
        var result = await replay.ReplayAsync(LogStreams.Category("order"), (e, ct) => rebuild.ApplyAsync(e, ct),
            new ReplayOptions { FromTimestamp = since, MaxEventsPerSecond = 5_000 },
            new Progress<ReplayProgress>(p => logger.LogInformation("{Done}/{Total} at {Rate:F0}/s", p.EventsDone, p.TotalEvents, p.EventsPerSecond)), ct);
        #endregion
        logger.LogInformation("Replayed {Count}", result.EventsDone);
    }

    private static Task ExportAsync(StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;

    [Fact]
    public async Task The_typed_projection_handles_its_types_and_passes_over_the_others()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddInMemoryEventStorage();
        builder.Services.AddSingleton<ReadModelDb>();
        RegisterStreamConsumer(builder);
        await using var app = builder.Build();
        await app.StartAsync();
        var store = app.Services.GetRequiredService<IEventStreamStore>();

        await store.AppendAsync("order-7", [new OrderPlaced("7", 20m), new SendReceipt("7"), new OrderShipped("7")]);

        await Deadline.UntilAsync(() => app.Services.GetRequiredService<IConsumerOffsetStore>().GetOffsetAsync(LogStreams.Category("order"), "order-read-model"),
            o => o == 3, "the projection moved past every event");
        Assert.Equal((20m, true, 2L), app.Services.GetRequiredService<ReadModelDb>().Orders["7"]);
        await app.StopAsync();
    }
}
