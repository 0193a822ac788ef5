using System.Text.Json.Serialization;

namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>A message moved to a queue's dead-letter queue.</summary>
/// <remarks>Serialized with System.Text.Json, <see cref="Event"/> is written with the properties of its own type.</remarks>
public sealed record DeadLetter
{
    /// <summary>The queue the message came from.</summary>
    public required string StreamName { get; init; }

    /// <summary>The message's event id.</summary>
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

    /// <summary>How many times the message was delivered before it was dead-lettered.</summary>
    public required int DeliveryCount { get; init; }

    /// <summary>Why it was dead-lettered.</summary>
    public required string Reason { get; init; }

    /// <summary>When it was dead-lettered.</summary>
    public required DateTimeOffset DeadLetteredAt { get; init; }
}
