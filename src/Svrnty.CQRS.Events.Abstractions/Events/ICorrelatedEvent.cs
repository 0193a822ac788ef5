namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// An event that can be appended to a persistent stream or enqueued on an ephemeral queue.
/// </summary>
public interface ICorrelatedEvent
{
    /// <summary>
    /// The event's unique id. It is the idempotency key for appends (an id already in the stream is not appended
    /// again) and for enqueues (an id still pending in the queue is not enqueued again), and the key for
    /// acknowledgements. At most 256 characters, no control characters.
    /// </summary>
    string EventId { get; }

    /// <summary>The id that ties this event to the request, command or conversation that caused it, if any.</summary>
    string? CorrelationId { get; }

    /// <summary>When the event happened, as the producer saw it.</summary>
    DateTimeOffset OccurredAt { get; }
}
