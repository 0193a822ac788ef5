using Microsoft.AspNetCore.Http.HttpResults;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Sample.Orders;

namespace Svrnty.CQRS.Events.Sample.Customers;

/// <summary>A customer's orders and revenue, as counted by <see cref="CustomerTotalsHandler"/>.</summary>
internal sealed record CustomerTotal(string Customer, long Orders, decimal Revenue);

/// <summary>One placed order, counted for its customer (the in-memory record of <see cref="CustomerTotalsHandler"/>).</summary>
internal sealed record OrderCounted(string OrderId, decimal Total) : CorrelatedEvent;

/// <summary>
/// An exactly-once handler: a transactional stream consumer of <c>$ce-order</c> (group <c>customer-totals</c>) that
/// counts each customer's orders and revenue. Adding to a total is not idempotent (counting an order twice is wrong),
/// so its effect must commit with the group's offset past the event, in one transaction: after a crash before the
/// commit the event is handled again from scratch, after the commit never again. In memory the effect goes into the
/// consumer's batch; on PostgreSQL it is an update of a table of the sample's own, on the consumer's transaction.
/// </summary>
internal sealed class CustomerTotalsHandler(ICustomerTotals totals) : ITransactionalEventStreamHandler<OrderPlaced>
{
    public const string ConsumerGroup = "customer-totals";

    // A typed handler: only OrderPlaced is handled; the log's other events move the group's position without a call.
    public Task HandleAsync(OrderPlaced placed, StoredEvent storedEvent, ConsumerTransaction transaction, CancellationToken cancellationToken) =>
        totals.CountAsync(placed, transaction, cancellationToken);
}

/// <summary>Where the totals are kept: recorded in a consumer's transaction, read by the endpoint.</summary>
internal interface ICustomerTotals
{
    /// <summary>Adds the order to its customer's totals, in <paramref name="transaction"/> (nothing is written before the
    /// consumer commits it).</summary>
    Task CountAsync(OrderPlaced placed, ConsumerTransaction transaction, CancellationToken cancellationToken);

    /// <summary>The customer's totals, or null when no order of theirs was counted yet.</summary>
    Task<CustomerTotal?> FindAsync(string customer, CancellationToken cancellationToken);
}

/// <summary>
/// The totals in the event store, for the in-memory backend: each counted order is an <see cref="OrderCounted"/> event on
/// the stream <c>customer-{name}</c>, appended through the consumer's batch, so it and the offset commit together. Its
/// event id is new on each call: nothing but that shared commit keeps an order from being counted twice.
/// </summary>
internal sealed class StreamCustomerTotals(IEventStreamReader reader) : ICustomerTotals
{
    public static string StreamName(string customer) => $"customer-{customer}";

    public Task CountAsync(OrderPlaced placed, ConsumerTransaction transaction, CancellationToken cancellationToken)
    {
        transaction.Batch.Append(StreamName(placed.Customer), new OrderCounted(placed.OrderId, placed.Total) { CorrelationId = placed.CorrelationId });
        return Task.CompletedTask;
    }

    public async Task<CustomerTotal?> FindAsync(string customer, CancellationToken cancellationToken)
    {
        var (orders, revenue, from) = (0L, 0m, 0L);
        while (await reader.ReadStreamAsync(StreamName(customer), from, 500, cancellationToken) is { Count: > 0 } page)
        {
            foreach (var counted in page.Select(e => e.Event).OfType<OrderCounted>())
            {
                (orders, revenue) = (orders + 1, revenue + counted.Total);
            }

            from = page[^1].Offset + 1;
        }

        return orders == 0 ? null : new CustomerTotal(customer, orders, revenue);
    }
}

internal static class CustomerEndpoints
{
    public static void MapCustomerEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/customers/{customer}", async Task<Results<Ok<CustomerTotal>, NotFound>> (string customer, ICustomerTotals totals, CancellationToken ct) =>
                await totals.FindAsync(customer, ct) is { } total ? TypedResults.Ok(total) : TypedResults.NotFound())
            .WithTags("Customers").WithSummary("A customer's orders and revenue, counted exactly once by a transactional consumer.");
}
