using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Svrnty.CQRS.Events.Diagnostics;

/// <summary>
/// The metrics and traces of every store and consumer: one <see cref="Meter"/> and one <see cref="ActivitySource"/>,
/// both named <see cref="Name"/>, which is what an application adds to its OpenTelemetry setup
/// (<c>AddMeter(EventStreamingTelemetry.Name)</c>, <c>AddSource(EventStreamingTelemetry.Name)</c>). Tags follow the
/// OpenTelemetry messaging and database conventions. The instance is the library's own, registered by every backend.
/// </summary>
public sealed class EventStreamingTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source: <c>Svrnty.CQRS.Events</c>.</summary>
    public const string Name = "Svrnty.CQRS.Events";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Func<string, string> _destinationTag;

    /// <summary>Creates the instruments, from the application's <see cref="IMeterFactory"/> when there is one.</summary>
    /// <param name="options">Tagging options.</param>
    /// <param name="meterFactory">The meter factory; null to create the meter directly.</param>
    internal EventStreamingTelemetry(IOptions<EventStreamingTelemetryOptions> options, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _destinationTag = options.Value.DestinationTag;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        Appended = _meter.CreateCounter<long>("svrnty.events.appended", "{event}", "Events submitted in successful appends (idempotent duplicates included).");
        Enqueued = _meter.CreateCounter<long>("svrnty.messages.enqueued", "{message}", "Messages submitted in successful enqueues.");
        Dequeued = _meter.CreateCounter<long>("svrnty.messages.dequeued", "{message}", "Messages leased by dequeues.");
        Redelivered = _meter.CreateCounter<long>("svrnty.messages.redelivered", "{message}", "Dequeued messages that had been delivered before.");
        Acknowledged = _meter.CreateCounter<long>("svrnty.messages.acknowledged", "{message}", "Messages acknowledged by their holder.");
        Nacked = _meter.CreateCounter<long>("svrnty.messages.nacked", "{message}", "Messages negatively acknowledged by their holder.");
        DeadLettered = _meter.CreateCounter<long>("svrnty.messages.dead_lettered", "{message}", "Messages rejected to the dead-letter queue by a nack (expiry-driven dead letters show in the svrnty.queue.dead_letters gauge).");
        DeletedByRetention = _meter.CreateCounter<long>("svrnty.events.deleted_by_retention", "{event}", "Events deleted by retention policies.");
        HandlerDuration = _meter.CreateHistogram<double>("svrnty.consumer.handler.duration", "s", "Duration of hosted-consumer handler invocations.");
        Duration = _meter.CreateHistogram<double>("svrnty.operation.duration", "s", "Duration of store operations.");
    }

    /// <summary>The activity source of store operations and handler invocations.</summary>
    internal static ActivitySource ActivitySource { get; } = new(Name, typeof(EventStreamingTelemetry).Assembly.GetName().Version?.ToString());

    internal Meter Meter => _meter;

    internal Counter<long> Appended { get; }

    internal Counter<long> Enqueued { get; }

    internal Counter<long> Dequeued { get; }

    internal Counter<long> Redelivered { get; }

    internal Counter<long> Acknowledged { get; }

    internal Counter<long> Nacked { get; }

    internal Counter<long> DeadLettered { get; }

    internal Counter<long> DeletedByRetention { get; }

    internal Histogram<double> Duration { get; }

    internal Histogram<double> HandlerDuration { get; }

    /// <summary>Whether anyone listens: when not, the stores skip instrumentation altogether.</summary>
    internal bool Enabled => Duration.Enabled || ActivitySource.HasListeners();

    /// <summary>The bounded tag value for a stream or queue name.</summary>
    /// <param name="name">The stream or queue.</param>
    /// <returns>The <c>messaging.destination.name</c> value.</returns>
    internal string DestinationTag(string name) => _destinationTag(name);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
