using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Sample.Orders;

/// <summary>
/// Reads and writes orders. Each order has its own stream, <c>order-{id}</c>, written with <c>expectedLength</c> so
/// two concurrent commands on one order cannot both win. Every event is then published to the <c>orders</c> stream, the
/// feed the hosted consumers follow (a consumer follows one stream; there are no category streams).
/// </summary>
/// <remarks>
/// The two appends are not one transaction (the library has no multi-stream transactions). Publishing the same event
/// (same <c>EventId</c>) twice is a no-op, and the projection treats a feed event only as "order X changed" and reads
/// the order's own stream, so a duplicate or out-of-order feed event is harmless. A crash between the two appends
/// leaves the feed without that event until the order changes again; an application that cannot accept that would
/// publish from a reconciler that follows the order streams it knows of.
/// </remarks>
internal sealed class OrderStreams(IEventStreamStore store)
{
    /// <summary>The feed of every order event, followed by the projection and the email requester.</summary>
    public const string Feed = "orders";

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

    /// <summary>Appends to the order's stream if its length is still <paramref name="expectedLength"/>
    /// (<see cref="StreamConcurrencyException"/> otherwise, nothing written), then publishes to the feed.</summary>
    /// <returns>The offset of the (last) event in the order's stream.</returns>
    public async Task<long> AppendAsync(string orderId, ICorrelatedEvent @event, long? expectedLength, CancellationToken cancellationToken)
    {
        var offset = await store.AppendAsync(Order.StreamName(orderId), [@event], expectedLength, cancellationToken);
        await store.AppendAsync(Feed, @event, cancellationToken);
        return offset;
    }
}
