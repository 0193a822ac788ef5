namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>How far behind each consumer group is, for dashboards and alerts.</summary>
public interface IConsumerLagMonitor
{
    /// <summary>Reads every group's committed offset on a stream and its lag, as a count (stream length − next offset)
    /// and as an age (how long the event at the group's next offset has waited since it was accepted).</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One entry per group that committed on the stream, ordered by group.</returns>
    Task<IReadOnlyList<ConsumerLag>> GetLagAsync(string streamName, CancellationToken cancellationToken = default);
}

/// <summary>A consumer group's position and lag on a stream.</summary>
public sealed record ConsumerLag
{
    /// <summary>The stream.</summary>
    public required string StreamName { get; init; }

    /// <summary>The consumer group.</summary>
    public required string ConsumerGroup { get; init; }

    /// <summary>The offset of the next event the group will process.</summary>
    public required long NextOffset { get; init; }

    /// <summary>The stream's length when read.</summary>
    public required long StreamLength { get; init; }

    /// <summary>Events appended that the group has not processed: <c>StreamLength − NextOffset</c>, never negative.</summary>
    public long Lag => Math.Max(0, StreamLength - NextOffset);

    /// <summary>When the group last committed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the oldest event the group has not processed (the one at <see cref="NextOffset"/>, or the oldest
    /// retained after it) was accepted; null when the group is caught up.</summary>
    public DateTimeOffset? OldestUnprocessedTimestamp { get; init; }

    /// <summary>Lag as an age: how long the oldest unprocessed event had waited when read (the reading time minus
    /// <see cref="OldestUnprocessedTimestamp"/>, never negative); zero when the group is caught up.</summary>
    public TimeSpan LagAge { get; init; }
}
