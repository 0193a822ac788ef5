namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>The dead-letter queue of each queue: messages that were rejected or used all their delivery attempts.</summary>
public interface IDeadLetterStore
{
    /// <summary>Reads the oldest dead letters of a queue.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="maxCount">The most returned; 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Dead letters, oldest first; empty when there are none.</returns>
    Task<IReadOnlyList<DeadLetter>> ReadAsync(string streamName, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Counts the dead letters of a queue.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The count; 0 when there are none.</returns>
    Task<long> CountAsync(string streamName, CancellationToken cancellationToken = default);

    /// <summary>Moves a dead letter back to its queue as a fresh message (delivery count 0).</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="eventId">The dead letter's event id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when the dead letter existed and was moved; false when there was none.</returns>
    Task<bool> RequeueAsync(string streamName, string eventId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every dead letter of a queue.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many were deleted.</returns>
    Task<long> PurgeAsync(string streamName, CancellationToken cancellationToken = default);
}
