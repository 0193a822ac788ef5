namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// Thrown when an <see cref="EventBatch"/> acknowledges a message the consumer no longer holds: another consumer has
/// taken it since its lease expired, or it is gone. Nothing of the batch was written.
/// </summary>
public sealed class QueueLeaseLostException : EventStreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="eventId">The message's event id.</param>
    /// <param name="consumerId">The consumer that acknowledged it.</param>
    public QueueLeaseLostException(string streamName, string eventId, string consumerId)
        : base($"Consumer '{consumerId}' no longer holds message '{eventId}' of queue '{streamName}' (another consumer took it, or it is gone); nothing of the batch was written.")
    {
        StreamName = streamName;
        EventId = eventId;
        ConsumerId = consumerId;
    }

    /// <summary>The queue.</summary>
    public string StreamName { get; }

    /// <summary>The message's event id.</summary>
    public string EventId { get; }

    /// <summary>The consumer that acknowledged it.</summary>
    public string ConsumerId { get; }
}
