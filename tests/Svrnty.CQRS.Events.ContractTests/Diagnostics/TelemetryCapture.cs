using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.ContractTests.Diagnostics;

/// <summary>Captures the library's measurements and spans while it lives.</summary>
public sealed class TelemetryCapture : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;

    public TelemetryCapture()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EventStreamingTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        _meters.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
        _meters.Start();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EventStreamingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Activities.Add,
        };
        ActivitySource.AddActivityListener(_activities);
    }

    public ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> Measurements { get; } = new();

    public ConcurrentBag<Activity> Activities { get; } = [];

    /// <summary>Asks observable instruments (gauges) for their current values.</summary>
    public void RecordGauges() => _meters.RecordObservableInstruments();

    public double Sum(string instrument, string destination, string? operation = null) => Measurements
        .Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("messaging.destination.name"), destination)
                    && (operation is null || Equals(m.Tags.GetValueOrDefault("messaging.operation.name"), operation)))
        .Sum(m => m.Value);

    public double? Last(string instrument, string destination) => Measurements
        .Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("messaging.destination.name"), destination))
        .Select(m => (double?)m.Value).LastOrDefault();

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        Measurements.Enqueue((instrument.Name, value, copy));
    }
}
