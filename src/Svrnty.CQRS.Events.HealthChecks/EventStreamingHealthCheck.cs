using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.HealthChecks;

/// <summary>
/// Unhealthy when the store is unreachable or its schema is out of date; Degraded when a watched consumer group lags
/// (in events or in age) or a watched queue holds dead letters or an old message beyond the thresholds; Healthy otherwise. Watched are the queues and groups of
/// the registered hosted consumers and those listed in <see cref="EventStreamingTelemetryOptions"/>.
/// </summary>
internal sealed class EventStreamingHealthCheck(
    IEventStoreHealthProbe probe,
    MonitoringTargets targets,
    IConsumerLagMonitor lag,
    IEventQueueMonitor queues,
    IOptionsMonitor<EventStreamingHealthCheckOptions> options,
    TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = await probe.ProbeAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>(health.Data);
        if (!health.Reachable || !health.SchemaCurrent)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, health.Description, data: data);
        }

        var settings = options.Get(context.Registration.Name);
        var problems = new List<string>();
        if (settings.MaxConsumerLag is not null || settings.MaxConsumerLagAge is not null)
        {
            foreach (var stream in targets.ConsumerGroups.Select(g => g.StreamName).Distinct(StringComparer.Ordinal))
            {
                foreach (var group in await lag.GetLagAsync(stream, cancellationToken).ConfigureAwait(false))
                {
                    if (!targets.ConsumerGroups.Contains((stream, group.ConsumerGroup)))
                    {
                        continue;
                    }

                    data[$"lag:{stream}/{group.ConsumerGroup}"] = group.Lag;
                    data[$"lagAge:{stream}/{group.ConsumerGroup}"] = group.LagAge.TotalSeconds;
                    if (group.Lag > settings.MaxConsumerLag)
                    {
                        problems.Add($"consumer group '{group.ConsumerGroup}' is {group.Lag} events behind on '{stream}' (threshold {settings.MaxConsumerLag})");
                    }

                    if (group.LagAge > settings.MaxConsumerLagAge)
                    {
                        problems.Add($"consumer group '{group.ConsumerGroup}' on '{stream}' has an event waiting for {group.LagAge} (threshold {settings.MaxConsumerLagAge})");
                    }
                }
            }
        }

        if (settings.MaxDeadLetters is not null || settings.MaxOldestMessageAge is not null)
        {
            foreach (var queue in targets.Queues)
            {
                var statistics = await queues.GetQueueStatisticsAsync(queue, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                var age = statistics.OldestPendingEnqueuedAt is { } oldest && now > oldest ? now - oldest : TimeSpan.Zero;
                data[$"deadLetters:{queue}"] = statistics.DeadLettered;
                data[$"oldestMessageAge:{queue}"] = age.TotalSeconds;
                if (statistics.DeadLettered > settings.MaxDeadLetters)
                {
                    problems.Add($"queue '{queue}' has {statistics.DeadLettered} dead letters (threshold {settings.MaxDeadLetters})");
                }

                if (age > settings.MaxOldestMessageAge)
                {
                    problems.Add($"queue '{queue}' has a message waiting for {age} (threshold {settings.MaxOldestMessageAge})");
                }
            }
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy(health.Description, data)
            : HealthCheckResult.Degraded($"{health.Description} But {string.Join("; ", problems)}.", data: data);
    }
}
