namespace Svrnty.CQRS.Events.HealthChecks;

/// <summary>Thresholds of the event-streaming health check.</summary>
public sealed class EventStreamingHealthCheckOptions
{
    /// <summary>A watched consumer group further behind than this many events makes the check Degraded; null to ignore lag.</summary>
    /// <value>Default: 10,000.</value>
    public long? MaxConsumerLag { get; set; } = 10_000;

    /// <summary>A watched queue with more dead letters than this makes the check Degraded; null to ignore dead letters.</summary>
    /// <value>Default: 0 (any dead letter degrades).</value>
    public long? MaxDeadLetters { get; set; } = 0;

    /// <summary>A watched consumer group whose oldest unprocessed event has waited longer than this since it was
    /// accepted makes the check Degraded (lag as an age, beside <see cref="MaxConsumerLag"/> as a count); null to ignore it.</summary>
    /// <value>Default: null.</value>
    public TimeSpan? MaxConsumerLagAge { get; set; }

    /// <summary>A watched queue whose oldest pending message has waited longer than this since it was enqueued makes the
    /// check Degraded; null to ignore it.</summary>
    /// <value>Default: null.</value>
    public TimeSpan? MaxOldestMessageAge { get; set; }
}
