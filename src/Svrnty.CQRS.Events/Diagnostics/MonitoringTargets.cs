using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.Diagnostics;

/// <summary>
/// The queues and consumer groups that gauges and health checks watch: those of the hosted consumers registered with
/// <c>AddQueueConsumer</c> and <c>AddEventStreamConsumer</c>, plus those listed in
/// <see cref="EventStreamingTelemetryOptions"/>. A bounded, explicit set, so gauges keep a bounded cardinality.
/// </summary>
internal sealed class MonitoringTargets
{
    internal MonitoringTargets(IOptions<EventStreamingTelemetryOptions> options, IEnumerable<EventStreamConsumerRegistration> streamConsumers,
        IEnumerable<QueueConsumerRegistration> queueConsumers)
    {
        Queues = options.Value.MonitoredQueues.Concat(queueConsumers.Select(q => q.QueueName))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        ConsumerGroups = options.Value.MonitoredConsumerGroups.Concat(streamConsumers.Select(c => (c.StreamName, c.ConsumerGroup)))
            .Distinct().OrderBy(g => g.StreamName, StringComparer.Ordinal).ThenBy(g => g.ConsumerGroup, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The watched queues.</summary>
    public IReadOnlyList<string> Queues { get; }

    /// <summary>The watched (stream, consumer group) pairs.</summary>
    public IReadOnlyList<(string StreamName, string ConsumerGroup)> ConsumerGroups { get; }
}
