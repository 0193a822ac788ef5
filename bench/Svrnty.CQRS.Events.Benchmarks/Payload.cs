using System.Text.Json;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Benchmarks;

/// <summary>The one event every implementation writes and reads: an order with three lines, about 300 bytes of JSON with its id, correlation id and time.</summary>
public sealed record OrderPlaced : CorrelatedEvent
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>Who placed it.</summary>
    public required string CustomerId { get; init; }

    /// <summary>ISO currency code.</summary>
    public required string Currency { get; init; }

    /// <summary>The order total.</summary>
    public required decimal Total { get; init; }

    /// <summary>The order lines.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }
}

/// <summary>An order line.</summary>
/// <param name="Sku">The product.</param>
/// <param name="Quantity">How many.</param>
/// <param name="UnitPrice">Price of one.</param>
public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);

/// <summary>Makes the payloads, and the JSON options the raw baselines serialize them with (those of our serializer).</summary>
internal static class Payload
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public static OrderPlaced Create(long n) => new()
    {
        CorrelationId = $"req-{n % 1000:D4}",
        OrderId = $"order-{n:D9}",
        CustomerId = $"customer-{n % 5000:D6}",
        Currency = "EUR",
        Total = 99.97m + (n % 100),
        Lines =
        [
            new OrderLine($"sku-{n % 97:D5}", 1, 49.99m),
            new OrderLine($"sku-{n % 89:D5}", 2, 24.99m),
        ],
    };

    public static OrderPlaced[] Batch(long first, int count)
    {
        var events = new OrderPlaced[count];
        for (var i = 0; i < count; i++)
        {
            events[i] = Create(first + i);
        }

        return events;
    }

    public static string Serialize(OrderPlaced e) => JsonSerializer.Serialize(e, Json);

    public static OrderPlaced Deserialize(string json) =>
        JsonSerializer.Deserialize<OrderPlaced>(json, Json) ?? throw new InvalidOperationException("Null event.");
}
