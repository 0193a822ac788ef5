namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// Convenience base record for user events. <see cref="EventId"/> defaults to a new time-ordered UUID (version 7)
/// and <see cref="OccurredAt"/> to the current UTC time; both can be set with an initializer.
/// </summary>
/// <example>
/// <code>
/// public sealed record OrderPlaced(string OrderId, decimal Total) : CorrelatedEvent;
/// </code>
/// </example>
public abstract record CorrelatedEvent : ICorrelatedEvent
{
    /// <inheritdoc />
    public string EventId { get; init; } = Guid.CreateVersion7().ToString();

    /// <inheritdoc />
    public string? CorrelationId { get; init; }

    /// <inheritdoc />
    public DateTimeOffset OccurredAt { get; init; } = TimeProvider.System.GetUtcNow();
}
