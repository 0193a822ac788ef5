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
}
