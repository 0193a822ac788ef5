using System.Text.Json.Serialization;

namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>A message leased to a consumer by <see cref="IEventQueue.DequeueAsync"/>.</summary>
/// <remarks>Serialized with System.Text.Json, <see cref="Event"/> is written with the properties of its own type.</remarks>
public sealed record DequeuedEvent
{
    /// <summary>The queue.</summary>
    public required string StreamName { get; init; }

    /// <summary>The message's event id, the key for <see cref="IEventQueue.AcknowledgeAsync"/> and
    /// <see cref="IEventQueue.NackAsync"/>.</summary>
    public required string EventId { get; init; }

    /// <summary>The event, or an <see cref="UnknownEvent"/> when its type no longer resolves. Its
    /// <see cref="ICorrelatedEvent.EventId"/>, <see cref="ICorrelatedEvent.CorrelationId"/> and
    /// <see cref="ICorrelatedEvent.OccurredAt"/> are the ones it was enqueued with, whatever its JSON holds.</summary>
    [JsonConverter(typeof(RuntimeTypeEventConverter))]
    public required ICorrelatedEvent Event { get; init; }

    /// <summary>The stable event-type name stored with the message.</summary>
    public required string EventType { get; init; }

    /// <summary>The event's JSON exactly as it was enqueued, character for character (no re-serialization).</summary>
    public required string Json { get; init; }

    /// <summary>The consumer holding the lease.</summary>
    public required string ConsumerId { get; init; }

    /// <summary>How many times the message has been delivered, this delivery included: 1 on first delivery.</summary>
    public required int DeliveryCount { get; init; }

    /// <summary>When the lease ends and the message becomes visible to other consumers again.</summary>
    public required DateTimeOffset VisibleUntil { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the operation that enqueued the message, if it ran inside a trace.</summary>
    public string? TraceParent { get; init; }
}
