namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Backend service: makes one app instance at a time the active processor of a consumer group on a stream, and numbers
/// each holder with an epoch (as Kafka numbers group generations). Every acquisition bumps the group's epoch; the hosted
/// consumer's offset commits and transactional batches carry it and are rejected once it is no longer current
/// (<see cref="ConsumerGroupFencedException"/>), so a holder that lost the lock without knowing can never move the group.
/// On PostgreSQL the lock is a session advisory lock, released by the server when the holder's connection ends.
/// </summary>
internal interface IConsumerGroupLock
{
    /// <summary>Tries to become the group's active processor, without waiting.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The lease, or null when another instance holds it.</returns>
    Task<IConsumerGroupLease?> TryAcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken);

    /// <summary>Becomes the group's active processor, waiting as long as another instance holds it (a standby): the
    /// wait ends as soon as the holder releases the lock or its session ends.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease.</returns>
    Task<IConsumerGroupLease> AcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken);

    /// <summary>Takes the group away from its current holder, wherever it runs (on PostgreSQL: ends the session that
    /// holds the lock); the holder's <see cref="IConsumerGroupLease.Lost"/> fires and a standby takes over.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether a holder was found.</returns>
    Task<bool> RevokeAsync(string streamName, string consumerGroup, CancellationToken cancellationToken);
}

/// <summary>A held consumer-group lock; dispose it to release.</summary>
internal interface IConsumerGroupLease : IAsyncDisposable
{
    /// <summary>The holder's epoch: greater than every earlier holder's of the same group.</summary>
    long Epoch { get; }

    /// <summary>Signalled as soon as the lock is known to be lost (for example, the session that holds it ended): stop
    /// processing.</summary>
    CancellationToken Lost { get; }
}

/// <summary>
/// A write of a consumer group's holder carried an epoch that is no longer current: another instance has taken the
/// group since. Nothing of the write was stored; the consumer stops and stands by.
/// </summary>
internal sealed class ConsumerGroupFencedException(string streamName, string consumerGroup, long epoch)
    : Abstractions.EventStreamException(
        $"Consumer group '{consumerGroup}' on stream '{streamName}' has been taken over by another instance since epoch {epoch}; the write was rejected.")
{
    public string StreamName { get; } = streamName;

    public string ConsumerGroup { get; } = consumerGroup;

    public long Epoch { get; } = epoch;
}
