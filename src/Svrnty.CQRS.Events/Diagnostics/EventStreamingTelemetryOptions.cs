namespace Svrnty.CQRS.Events.Diagnostics;

/// <summary>How the stores' metrics are tagged and which queues and consumer groups get gauges.</summary>
public sealed class EventStreamingTelemetryOptions
{
    /// <summary>
    /// Maps a stream or queue name to the value of the <c>messaging.destination.name</c> tag. Metrics need a bounded set
    /// of tag values, and per-entity streams (<c>order-42</c>, <c>order-43</c>, ...) are not bounded, so the default
    /// keeps the <em>category</em>: the part before the first <c>-</c> (<c>order</c>), the convention EventStoreDB uses
    /// for <c>$ce-</c> streams. Return the name itself when your stream names are few and fixed.
    /// </summary>
    /// <value>Default: the part of the name before the first '-', or the whole name.</value>
    public Func<string, string> DestinationTag { get; set; } = DefaultDestinationTag;

    /// <summary>How often the gauges (queue depth, oldest pending message, dead letters, consumer lag) are refreshed
    /// from the store. They are read in the background and cached, never queried from a metrics callback.</summary>
    /// <value>Default: 15 seconds.</value>
    public TimeSpan GaugeRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Queues that get depth, oldest-message-age and dead-letter gauges, besides those of registered queue
    /// consumers.</summary>
    public ISet<string> MonitoredQueues { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>(stream, consumer group) pairs that get a lag gauge, besides those of registered stream consumers.</summary>
    public ISet<(string StreamName, string ConsumerGroup)> MonitoredConsumerGroups { get; } = new HashSet<(string, string)>();

    /// <summary>The default <see cref="DestinationTag"/>: the stream's category.</summary>
    /// <param name="name">A stream or queue name.</param>
    /// <returns>The part before the first '-', or the whole name.</returns>
    public static string DefaultDestinationTag(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? name[..dash] : name;
    }
}
