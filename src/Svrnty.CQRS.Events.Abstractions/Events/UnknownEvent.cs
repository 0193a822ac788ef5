namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// An event read back from storage whose stored type name no longer resolves to a type that implements
/// <see cref="ICorrelatedEvent"/> (renamed, removed, or from another application). It carries the type name and the
/// raw JSON so that a replay never fails on an old event and the data is not lost.
/// </summary>
public sealed record UnknownEvent : ICorrelatedEvent
{
    /// <inheritdoc />
    public required string EventId { get; init; }

    /// <inheritdoc />
    public string? CorrelationId { get; init; }

    /// <inheritdoc />
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The event-type name that was stored with the event and could not be resolved.</summary>
    public required string EventType { get; init; }

    /// <summary>The event's JSON exactly as stored.</summary>
    public required string Json { get; init; }

    /// <summary>Set by a caller that has already checked <see cref="Json"/> against the store's JSON rules (the gRPC
    /// service does, to name the request field), so the serializer does not read it through again.</summary>
    internal bool JsonChecked { get; init; }
}
