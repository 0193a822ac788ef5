namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>How full a queue is, for dashboards, gauges and health checks.</summary>
public interface IEventQueueMonitor
{
    /// <summary>Reads a queue's depth and the age of its oldest message, in one round trip.</summary>
    /// <param name="streamName">The queue.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The statistics; all zero for a queue that does not exist.</returns>
    Task<QueueStatistics> GetQueueStatisticsAsync(string streamName, CancellationToken cancellationToken = default);
}

/// <summary>A queue's depth at one moment.</summary>
public sealed record QueueStatistics
{
    /// <summary>The queue.</summary>
    public required string StreamName { get; init; }

    /// <summary>Messages waiting to be dequeued (never leased, released, or whose lease expired).</summary>
    public required long Visible { get; init; }

    /// <summary>Messages leased to a consumer whose lease has not ended.</summary>
    public required long InFlight { get; init; }

    /// <summary>Messages in the queue's dead-letter queue.</summary>
    public required long DeadLettered { get; init; }

    /// <summary>When the oldest pending (visible or leased) message was enqueued; null when none is pending.</summary>
    public DateTimeOffset? OldestPendingEnqueuedAt { get; init; }
}
