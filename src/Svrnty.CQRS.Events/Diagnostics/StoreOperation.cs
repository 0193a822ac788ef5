using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Svrnty.CQRS.Events.Diagnostics;

/// <summary>
/// One instrumented operation: a span and a duration measurement. A store operation's span is parented by the
/// caller's; a handler invocation's by the trace context stored with the event (the producer's).
/// </summary>
internal readonly struct StoreOperation : IDisposable
{
    private readonly Histogram<double> _duration;
    private readonly long _started;

    public StoreOperation(EventStreamingTelemetry telemetry, string operation, string name, string system, ActivityKind kind)
        : this(telemetry, telemetry.Duration, operation, name, system, kind, default, consumerGroup: null)
    {
    }

    public StoreOperation(EventStreamingTelemetry telemetry, Histogram<double> duration, string operation, string name, string? system,
        ActivityKind kind, ActivityContext parent, string? consumerGroup)
    {
        _duration = duration;
        _started = Stopwatch.GetTimestamp();
        var destination = telemetry.DestinationTag(name);
        var tags = new TagList
        {
            { "messaging.system", "svrnty" },
            { "messaging.operation.name", operation },
            { "messaging.destination.name", destination },
        };
        if (system is not null)
        {
            tags.Add("db.system.name", system);
        }

        if (consumerGroup is not null)
        {
            tags.Add("messaging.consumer.group.name", consumerGroup);
        }

        Tags = tags;
        Activity = EventStreamingTelemetry.ActivitySource.StartActivity($"{operation} {destination}", kind, parent);
        if (Activity is { IsAllDataRequested: true } activity)
        {
            foreach (var tag in tags)
            {
                activity.SetTag(tag.Key, tag.Value);
            }

            activity.SetTag("messaging.destination.name", name);
        }
    }

    public Activity? Activity { get; }

    public TagList Tags { get; }

    public void Message(string eventId, string? correlationId)
    {
        Activity?.SetTag("messaging.message.id", eventId);
        if (correlationId is not null)
        {
            Activity?.SetTag("messaging.message.conversation_id", correlationId);
        }
    }

    public void Fail(Exception exception)
    {
        Activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        Activity?.SetTag("error.type", exception.GetType().FullName);
        var tags = Tags;
        tags.Add("error.type", exception.GetType().FullName);
        _duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
    }

    public void Succeed() => _duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, Tags);

    public void Dispose() => Activity?.Dispose();
}
