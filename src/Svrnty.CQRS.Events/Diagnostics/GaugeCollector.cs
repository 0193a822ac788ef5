using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Diagnostics;

/// <summary>
/// Refreshes the gauges (queue depth, oldest pending message, dead letters, consumer lag as a count and as an age) of the
/// <see cref="MonitoringTargets"/> in the background and caches them, so metric callbacks never do I/O.
/// </summary>
internal sealed partial class GaugeCollector : BackgroundService
{
    private readonly ConcurrentDictionary<string, QueueStatistics> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), ConsumerLag> _lags = new();
    private readonly IServiceProvider _services;
    private readonly MonitoringTargets _targets;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;

    public GaugeCollector(IServiceProvider services, MonitoringTargets targets, EventStreamingTelemetry telemetry,
        IOptions<EventStreamingTelemetryOptions> options, TimeProvider time, ILogger<GaugeCollector> logger)
    {
        _services = services;
        _targets = targets;
        _time = time;
        _interval = options.Value.GaugeRefreshInterval;
        _logger = logger;
        var meter = telemetry.Meter;
        meter.CreateObservableGauge("svrnty.queue.messages.visible", () => Queues(q => q.Visible), "{message}", "Messages waiting in a monitored queue.");
        meter.CreateObservableGauge("svrnty.queue.messages.in_flight", () => Queues(q => q.InFlight), "{message}", "Leased messages of a monitored queue.");
        meter.CreateObservableGauge("svrnty.queue.dead_letters", () => Queues(q => q.DeadLettered), "{message}", "Dead letters of a monitored queue.");
        meter.CreateObservableGauge("svrnty.queue.oldest_message.age", OldestAges, "s", "Age of the oldest pending message of a monitored queue.");
        meter.CreateObservableGauge("svrnty.consumer.lag", () => _lags.Values.Select(l => new Measurement<long>(l.Lag,
            new KeyValuePair<string, object?>("messaging.destination.name", l.StreamName),
            new KeyValuePair<string, object?>("messaging.consumer.group.name", l.ConsumerGroup))), "{event}", "Events a monitored consumer group has not processed.");
        meter.CreateObservableGauge("svrnty.consumer.lag.age", LagAges, "s",
            "How long the oldest event a monitored consumer group has not processed has waited since it was accepted.");
    }

    /// <summary>Reads every target once.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var monitor = (IEventQueueMonitor?)_services.GetService(typeof(IEventQueueMonitor));
        var lag = (IConsumerLagMonitor?)_services.GetService(typeof(IConsumerLagMonitor));
        if (monitor is not null)
        {
            foreach (var queue in _targets.Queues)
            {
                _queues[queue] = await monitor.GetQueueStatisticsAsync(queue, cancellationToken).ConfigureAwait(false);
            }
        }

        if (lag is not null)
        {
            foreach (var stream in _targets.ConsumerGroups.Select(g => g.StreamName).Distinct(StringComparer.Ordinal))
            {
                foreach (var group in await lag.GetLagAsync(stream, cancellationToken).ConfigureAwait(false))
                {
                    if (_targets.ConsumerGroups.Contains((stream, group.ConsumerGroup)))
                    {
                        _lags[(stream, group.ConsumerGroup)] = group;
                    }
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_targets.Queues.Count == 0 && _targets.ConsumerGroups.Count == 0)
        {
            return; // nothing to watch
        }

        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRefreshFailed(_logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(4000, LogLevel.Warning, "Refreshing the event-streaming gauges failed; they keep their last values.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    private IEnumerable<Measurement<long>> Queues(Func<QueueStatistics, long> value) =>
        _queues.Values.Select(q => new Measurement<long>(value(q), new KeyValuePair<string, object?>("messaging.destination.name", q.StreamName)));

    private IEnumerable<Measurement<double>> LagAges()
    {
        var now = _time.GetUtcNow();
        return _lags.Values.Select(l => new Measurement<double>(
            l.OldestUnprocessedTimestamp is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0,
            new KeyValuePair<string, object?>("messaging.destination.name", l.StreamName),
            new KeyValuePair<string, object?>("messaging.consumer.group.name", l.ConsumerGroup)));
    }

    private IEnumerable<Measurement<double>> OldestAges()
    {
        var now = _time.GetUtcNow();
        return _queues.Values.Select(q => new Measurement<double>(
            q.OldestPendingEnqueuedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0,
            new KeyValuePair<string, object?>("messaging.destination.name", q.StreamName)));
    }
}
