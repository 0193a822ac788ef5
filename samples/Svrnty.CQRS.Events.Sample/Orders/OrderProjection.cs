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
/// A hosted stream consumer of the category log <c>$ce-order</c> (group <c>order-read-model</c>): every event of every
/// <c>order-{id}</c> stream, in the order they became visible, each stream's own order kept. An event names its own
/// stream and offset (<see cref="StoredEvent.StreamName"/>, <see cref="StoredEvent.Offset"/>); its
/// <see cref="StoredEvent.Position"/> is its place in the log, which the consumer commits. The offset says where the
/// event belongs in its order: the next one is applied, one already applied is skipped (at-least-once delivery hands an
/// event over again after a crash), and when the view is further behind (this in-process read model starts empty after
/// a restart, while the group's position in the log was kept) the order is read again from its own stream.
/// </summary>
internal sealed class OrderProjection(OrderStreams orders, OrderReadModel readModel) : IEventStreamHandler
{
    public const string ConsumerGroup = "order-read-model";

    public async Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken)
    {
        var orderId = Order.IdOf(storedEvent.StreamName);
        var order = readModel.Find(orderId);
        var version = order?.Version ?? 0;
        if (storedEvent.Offset < version)
        {
            return; // applied already
        }

        order = storedEvent.Offset == version
            ? Order.Apply(order, storedEvent)
            : await orders.LoadAsync(orderId, cancellationToken);
        if (order is not null)
        {
            readModel.Save(order);
        }
    }
}
