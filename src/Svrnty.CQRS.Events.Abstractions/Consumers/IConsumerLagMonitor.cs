namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>How far behind each consumer group is, for dashboards and alerts.</summary>
public interface IConsumerLagMonitor
{
    /// <summary>Reads every group's committed offset on a stream and its lag (stream length − next offset).</summary>
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
}
