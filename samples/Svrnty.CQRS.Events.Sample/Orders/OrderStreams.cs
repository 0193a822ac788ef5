using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Sample.Emails;

namespace Svrnty.CQRS.Events.Sample.Orders;

/// <summary>
/// Reads and writes orders. Each order has its own stream, <c>order-{id}</c>, written with <c>expectedLength</c> so
/// two concurrent commands on one order cannot both win. The store also keeps every event of the <c>order-*</c> streams
/// in the category log <c>$ce-order</c> (<see cref="Order.Log"/>), which the hosted consumers follow, so there is no
/// second append to a feed. Placing an order appends it and enqueues its confirmation email in one batch: one commit,
/// so a crash cannot keep the order and lose the email.
/// </summary>
internal sealed class OrderStreams(IEventStreamStore store)
{
    /// <summary>The order, or null if it was never placed.</summary>
    public async Task<Order?> LoadAsync(string orderId, CancellationToken cancellationToken)
    {
        Order? order = null;
        var stream = Order.StreamName(orderId);
        var from = 0L;
        while (true)
        {
            var page = await store.ReadStreamAsync(stream, from, 500, cancellationToken);
            if (page.Count == 0)
            {
                return order;
            }

            foreach (var stored in page)
            {
                order = Order.Apply(order, stored);
            }

            from = page[^1].Offset + 1;
        }
    }

    /// <summary>Places an order: its first event (the stream must not exist yet, else
    /// <see cref="StreamConcurrencyException"/>) and the message asking for its confirmation email, written together or
    /// not at all.</summary>
    /// <returns>The offset of the event in the order's stream (0).</returns>
    public async Task<long> PlaceAsync(OrderPlaced placed, CancellationToken cancellationToken)
    {
        var confirmation = new SendOrderConfirmation(placed.OrderId)
        {
            EventId = $"confirmation-{placed.OrderId}", // a name to requeue it by, and a retry enqueues nothing new
            CorrelationId = placed.CorrelationId,
        };
        var result = await store.WriteAsync(new EventBatch()
            .Append(Order.StreamName(placed.OrderId), placed, expectedLength: 0)
            .Enqueue(ConfirmationSender.Queue, confirmation), cancellationToken);
        return result.Offsets[0];
    }

    /// <summary>Appends to the order's stream if its length is still <paramref name="expectedLength"/>
    /// (<see cref="StreamConcurrencyException"/> otherwise, nothing written). The event is in <c>$ce-order</c> as soon as
    /// this returns.</summary>
    /// <returns>The offset of the event in the order's stream.</returns>
    public Task<long> AppendAsync(string orderId, ICorrelatedEvent @event, long? expectedLength, CancellationToken cancellationToken) =>
        store.AppendAsync(Order.StreamName(orderId), [@event], expectedLength, cancellationToken);
}
