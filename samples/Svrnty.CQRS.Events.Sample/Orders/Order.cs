using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Sample.Orders;

/// <summary>An order as its stream tells it, and <see cref="Version"/>: the stream's length when it was read, the
/// <c>expectedLength</c> of the next append.</summary>
internal sealed record Order(string OrderId, string Customer, string Email, decimal Total, bool ConfirmationSent, long Version)
{
    /// <summary>The category of the order streams: <c>order-{id}</c> is in it, so the store keeps every order event in
    /// the category log <c>$ce-order</c> too.</summary>
    public const string Category = "order";

    /// <summary>The log of every order stream, <c>$ce-order</c>, which the projection and the email requester follow.</summary>
    public static readonly string Log = LogStreams.Category(Category);

    /// <summary>The stream that holds one order's events.</summary>
    public static string StreamName(string orderId) => $"{Category}-{orderId}";

    /// <summary>The order id of an order stream's name (<c>order-42</c>: <c>42</c>).</summary>
    public static string IdOf(string streamName) => streamName[(Category.Length + 1)..];

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
