namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Extends (or shortens) a lease a consumer holds on a queued message.</summary>
public interface IQueueLeaseExtender
{
    /// <summary>
    /// Sets the lease of a message the consumer holds to end <paramref name="visibilityTimeout"/> from now. Used to keep
    /// a message while a long handler runs, or, with a short timeout, to have it redelivered after a delay.
    /// </summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="eventId">The message's event id.</param>
    /// <param name="consumerId">The consumer holding the lease.</param>
    /// <param name="visibilityTimeout">How long from now the lease lasts; positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new end of the lease, or null when the consumer does not hold the message (nothing changed).</returns>
    Task<DateTimeOffset?> ExtendLeaseAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default);
}
