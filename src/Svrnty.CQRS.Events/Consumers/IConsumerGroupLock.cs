namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Backend service: makes one app instance at a time the active processor of a consumer group on a stream. On
/// PostgreSQL it is a session advisory lock, released by the server when the holder's connection ends, so another
/// instance takes over when the holder dies.
/// </summary>
internal interface IConsumerGroupLock
{
    /// <summary>Tries to become the group's active processor.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The lease, or null when another instance holds it.</returns>
    Task<IConsumerGroupLease?> TryAcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken);
}

/// <summary>A held consumer-group lock; dispose it to release.</summary>
internal interface IConsumerGroupLease : IAsyncDisposable
{
    /// <summary>Signalled if the lock is lost (for example, the connection that holds it broke): stop processing.</summary>
    CancellationToken Lost { get; }
}
