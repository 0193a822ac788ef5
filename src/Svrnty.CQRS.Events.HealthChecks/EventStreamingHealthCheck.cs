using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.HealthChecks;

/// <summary>
/// Unhealthy when the store is unreachable or its schema is out of date; Degraded when a watched consumer group lags
/// or a watched queue holds dead letters beyond the thresholds; Healthy otherwise. Watched are the queues and groups of
/// the registered hosted consumers and those listed in <see cref="EventStreamingTelemetryOptions"/>.
/// </summary>
internal sealed class EventStreamingHealthCheck(
    IEventStoreHealthProbe probe,
    MonitoringTargets targets,
    IConsumerLagMonitor lag,
    IEventQueueMonitor queues,
    IOptionsMonitor<EventStreamingHealthCheckOptions> options) : IHealthCheck
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
        if (settings.MaxConsumerLag is { } maxLag)
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
                    if (group.Lag > maxLag)
                    {
                        problems.Add($"consumer group '{group.ConsumerGroup}' is {group.Lag} events behind on '{stream}' (threshold {maxLag})");
                    }
                }
            }
        }

        if (settings.MaxDeadLetters is { } maxDead)
        {
            foreach (var queue in targets.Queues)
            {
                var statistics = await queues.GetQueueStatisticsAsync(queue, cancellationToken).ConfigureAwait(false);
                data[$"deadLetters:{queue}"] = statistics.DeadLettered;
                if (statistics.DeadLettered > maxDead)
                {
                    problems.Add($"queue '{queue}' has {statistics.DeadLettered} dead letters (threshold {maxDead})");
                }
            }
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy(health.Description, data)
            : HealthCheckResult.Degraded($"{health.Description} But {string.Join("; ", problems)}.", data: data);
    }
}
