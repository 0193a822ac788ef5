using System.Collections.Concurrent;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Sample.Orders;

/// <summary>The read model: every order as last projected, in process memory (a table in a real application).</summary>
internal sealed class OrderReadModel
{
    private readonly ConcurrentDictionary<string, Order> _orders = new(StringComparer.Ordinal);

    public Order? Find(string orderId) => _orders.GetValueOrDefault(orderId);

    public IReadOnlyList<Order> All() => [.. _orders.Values.OrderBy(o => o.OrderId, StringComparer.Ordinal)];

    public void Save(Order order) => _orders.AddOrUpdate(order.OrderId, order, (_, old) => order.Version >= old.Version ? order : old);
}

/// <summary>
/// A hosted stream consumer of the <c>orders</c> feed (group <c>order-read-model</c>): for each event it brings the
/// order's view up to date from the order's own stream, starting where the view is. Idempotent: an event seen twice
/// (at-least-once delivery) reads nothing new.
/// </summary>
internal sealed class OrderProjection(IEventStreamReader reader, OrderReadModel readModel) : IEventStreamHandler
{
    public const string ConsumerGroup = "order-read-model";

    public async Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken)
    {
        var orderId = storedEvent.Event switch
        {
            OrderPlaced e => e.OrderId,
            OrderEmailChanged e => e.OrderId,
            OrderConfirmationSent e => e.OrderId,
            _ => null,
        };
        if (orderId is null)
        {
            return;
        }

        var order = readModel.Find(orderId);
        var stream = Order.StreamName(orderId);
        var from = order?.Version ?? 0;
        while (true)
        {
            var page = await reader.ReadStreamAsync(stream, from, 500, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var stored in page)
            {
                order = Order.Apply(order, stored);
            }

            from = page[^1].Offset + 1;
        }

        if (order is not null)
        {
            readModel.Save(order);
        }
    }
}
