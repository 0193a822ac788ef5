using System.Text.Json.Serialization;

namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>An event as stored in a persistent stream.</summary>
/// <remarks>Serialized with System.Text.Json (as a minimal API does when it returns one), <see cref="Event"/> is written
/// with the properties of its own type, not only those of <see cref="ICorrelatedEvent"/>.</remarks>
public sealed record StoredEvent
{
    /// <summary>The stream the event belongs to.</summary>
    public required string StreamName { get; init; }

    /// <summary>The event's 0-based, gapless position in its stream.</summary>
    public required long Offset { get; init; }

    /// <summary>The event's position in the stream that was read: equal to <see cref="Offset"/> when reading the event's
    /// own stream; its position in the log when reading a log stream (<see cref="LogStreams.All"/>,
    /// <see cref="LogStreams.Category"/>). Read a log on from the last position handled + 1. When not set, it is
    /// <see cref="Offset"/>.</summary>
    public long Position
    {
        get => _position ?? Offset;
        init => _position = value;
    }

    private readonly long? _position;

    /// <summary>The event's id (<see cref="ICorrelatedEvent.EventId"/>).</summary>
    public required string EventId { get; init; }

    /// <summary>The stable event-type name stored with the event.</summary>
    public required string EventType { get; init; }

    /// <summary>The event's correlation id (<see cref="ICorrelatedEvent.CorrelationId"/>).</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The event itself, or an <see cref="UnknownEvent"/> when its type no longer resolves. Its
    /// <see cref="ICorrelatedEvent.EventId"/>, <see cref="ICorrelatedEvent.CorrelationId"/> and
    /// <see cref="ICorrelatedEvent.OccurredAt"/> are the ones stored with the event, whatever its JSON holds.</summary>
    [JsonConverter(typeof(RuntimeTypeEventConverter))]
    public required ICorrelatedEvent Event { get; init; }

    /// <summary>The event's JSON exactly as it was appended, character for character (no re-serialization).</summary>
    public required string Json { get; init; }

    /// <summary>When the store accepted the event.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the operation that appended the event, if it ran inside a trace; hosted
    /// consumers continue that trace when they handle the event.</summary>
    public string? TraceParent { get; init; }
}
