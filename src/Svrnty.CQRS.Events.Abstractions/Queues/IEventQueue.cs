namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// Ephemeral queues with leases: enqueue, dequeue with a visibility timeout, acknowledge or negatively acknowledge.
/// </summary>
/// <remarks>
/// Competing consumers never hold the same message at the same time. A message whose lease expires becomes visible
/// again and is redelivered with its delivery count raised by one; a message that has been delivered
/// <see cref="StreamConfiguration.MaxDeliveryAttempts"/> times goes to the dead-letter queue
/// (<see cref="IDeadLetterStore"/>) instead of being delivered again. A queue named like a stream is a separate thing
/// from that stream.
/// </remarks>
public interface IEventQueue
{
    /// <summary>Puts an event at the tail of a queue.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="event">The event. Enqueuing an event id that is still pending (visible or leased) in the queue is a
    /// no-op.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task EnqueueAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default);

    /// <summary>Leases the oldest visible message of a queue to a consumer.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="consumerId">The consumer taking the lease.</param>
    /// <param name="visibilityTimeout">How long the lease lasts; positive. Until then no other consumer gets the
    /// message.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The leased message, or null when no message is visible.</returns>
    Task<DequeuedEvent?> DequeueAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default);

    /// <summary>Acknowledges (removes) a message the consumer holds.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="eventId">The message's event id.</param>
    /// <param name="consumerId">The consumer that dequeued it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when the consumer held the message (even if its lease has passed, as long as no other consumer
    /// has taken it since) and it was removed; otherwise false and nothing changed.</returns>
    Task<bool> AcknowledgeAsync(string streamName, string eventId, string consumerId,
        CancellationToken cancellationToken = default);

    /// <summary>Gives back a message the consumer holds.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="eventId">The message's event id.</param>
    /// <param name="consumerId">The consumer that dequeued it.</param>
    /// <param name="requeue">True: the message is visible again at once (or dead-lettered if it has used all its
    /// delivery attempts). False: it is dead-lettered at once.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when the consumer held the message; otherwise false and nothing changed.</returns>
    Task<bool> NackAsync(string streamName, string eventId, string consumerId, bool requeue = true,
        CancellationToken cancellationToken = default);

    /// <summary>The number of messages in the queue that are neither acknowledged nor dead-lettered: visible ones and
    /// leased ones.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The count; 0 for a queue that does not exist.</returns>
    Task<long> GetPendingCountAsync(string streamName, CancellationToken cancellationToken = default);
}
