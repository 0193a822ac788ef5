namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Pull subscriptions on persistent streams that resume from a consumer group's committed offset.</summary>
public interface IEventStreamSubscriber
{
    /// <summary>
    /// Reads a stream from the group's committed offset (or, for a group that never committed, from
    /// <see cref="SubscriptionOptions.Start"/>), page by page with bounded memory, then follows live appends until
    /// cancelled. The subscription does not commit: commit with <see cref="IConsumerOffsetStore.CommitOffsetAsync"/>
    /// as events are processed (the next offset is <c>Offset + 1</c>).
    /// </summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group whose committed offset is the starting point.</param>
    /// <param name="options">Start, page size, poll interval; null for the defaults.</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <returns>The events, in offset order, without end.</returns>
    IAsyncEnumerable<StoredEvent> SubscribeAsync(string streamName, string consumerGroup, SubscriptionOptions? options = null,
        CancellationToken cancellationToken = default);
}
