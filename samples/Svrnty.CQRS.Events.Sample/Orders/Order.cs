using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Sample.Orders;

/// <summary>An order as its stream tells it, and <see cref="Version"/>: the stream's length when it was read, the
/// <c>expectedLength</c> of the next append.</summary>
internal sealed record Order(string OrderId, string Customer, string Email, decimal Total, bool ConfirmationSent, long Version)
{
    /// <summary>The stream that holds one order's events.</summary>
    public static string StreamName(string orderId) => $"order-{orderId}";

    /// <summary>Applies one stored event; events that are not about orders leave the order as it is.</summary>
    public static Order? Apply(Order? order, StoredEvent stored) => stored.Event switch
    {
        OrderPlaced e => new Order(e.OrderId, e.Customer, e.Email, e.Total, ConfirmationSent: false, stored.Offset + 1),
        OrderEmailChanged e when order is not null => order with { Email = e.Email, Version = stored.Offset + 1 },
        OrderConfirmationSent when order is not null => order with { ConfirmationSent = true, Version = stored.Offset + 1 },
        _ when order is not null => order with { Version = stored.Offset + 1 },
        _ => order,
    };
}
