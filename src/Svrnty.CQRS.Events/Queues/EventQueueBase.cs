using System.Diagnostics;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Queues;

/// <summary>
/// The base every backend's queue store derives from, beside <c>Streams/EventStreamStoreBase</c>: it applies the
/// contract's argument rules once, before any I/O, instruments every operation (a span and a duration, plus counters;
/// nothing when no one listens), and hands valid arguments to the backend's <c>*CoreAsync</c> methods.
/// </summary>
internal abstract class EventQueueBase : IEventQueue, IQueueLeaseExtender, IEventQueueMonitor
{
    private readonly EventStreamingTelemetry _telemetry;

    /// <summary>Creates the queue store.</summary>
    /// <param name="telemetry">The shared metrics and traces.</param>
    protected EventQueueBase(EventStreamingTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        _telemetry = telemetry;
    }

    /// <summary>The backend's name in telemetry (<c>db.system.name</c>), e.g. <c>postgresql</c>.</summary>
    protected abstract string SystemName { get; }

    /// <inheritdoc />
    public Task EnqueueAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Event(@event, nameof(@event));
        return Observe("enqueue", streamName, ActivityKind.Producer, async () =>
        {
            await EnqueueCoreAsync(streamName, @event, cancellationToken).ConfigureAwait(false);
            return true;
        }, (_, tags) => _telemetry.Enqueued.Add(1, tags), @event.EventId, @event.CorrelationId);
    }

    /// <inheritdoc />
    public Task<DequeuedEvent?> DequeueAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Name(consumerId, nameof(consumerId));
        Argument.VisibilityTimeout(visibilityTimeout, nameof(visibilityTimeout));
        return Observe("dequeue", streamName, ActivityKind.Consumer, () => DequeueCoreAsync(streamName, consumerId, visibilityTimeout, cancellationToken),
            (message, tags) =>
            {
                if (message is not null)
                {
                    _telemetry.Dequeued.Add(1, tags);
                    if (message.DeliveryCount > 1)
                    {
                        _telemetry.Redelivered.Add(1, tags);
                    }

                    Activity.Current?.SetTag("messaging.message.id", message.EventId);
                }
            });
    }

    /// <inheritdoc />
    public Task<bool> AcknowledgeAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Name(eventId, nameof(eventId));
        Argument.Name(consumerId, nameof(consumerId));
        return Observe("ack", streamName, ActivityKind.Client, () => AcknowledgeCoreAsync(streamName, eventId, consumerId, cancellationToken),
            (acknowledged, tags) =>
            {
                if (acknowledged)
                {
                    _telemetry.Acknowledged.Add(1, tags);
                }
            }, eventId);
    }

    /// <inheritdoc />
    public Task<bool> NackAsync(string streamName, string eventId, string consumerId, bool requeue = true,
        CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Name(eventId, nameof(eventId));
        Argument.Name(consumerId, nameof(consumerId));
        return Observe("nack", streamName, ActivityKind.Client, () => NackCoreAsync(streamName, eventId, consumerId, requeue, cancellationToken),
            (nacked, tags) =>
            {
                if (nacked)
                {
                    _telemetry.Nacked.Add(1, tags);
                    if (!requeue)
                    {
                        _telemetry.DeadLettered.Add(1, tags);
                    }
                }
            }, eventId);
    }

    /// <inheritdoc />
    public Task<long> GetPendingCountAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        return Observe("pending", streamName, ActivityKind.Client, () => GetPendingCountCoreAsync(streamName, cancellationToken));
    }

    /// <inheritdoc />
    public Task<DateTimeOffset?> ExtendLeaseAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Name(eventId, nameof(eventId));
        Argument.Name(consumerId, nameof(consumerId));
        Argument.VisibilityTimeout(visibilityTimeout, nameof(visibilityTimeout));
        return Observe("extend_lease", streamName, ActivityKind.Client,
            () => ExtendLeaseCoreAsync(streamName, eventId, consumerId, visibilityTimeout, cancellationToken), eventId: eventId);
    }

    /// <inheritdoc />
    public Task<QueueStatistics> GetQueueStatisticsAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        return Observe("queue_statistics", streamName, ActivityKind.Client, () => GetQueueStatisticsCoreAsync(streamName, cancellationToken));
    }

    /// <summary>See <see cref="IEventQueue.EnqueueAsync"/>.</summary>
    protected abstract Task EnqueueCoreAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.DequeueAsync"/>; the leased message or null.</summary>
    protected abstract Task<DequeuedEvent?> DequeueCoreAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.AcknowledgeAsync"/>; whether the consumer held the message and it was removed.</summary>
    protected abstract Task<bool> AcknowledgeCoreAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.NackAsync"/>; whether the consumer held the message.</summary>
    protected abstract Task<bool> NackCoreAsync(string streamName, string eventId, string consumerId, bool requeue,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.GetPendingCountAsync"/>.</summary>
    protected abstract Task<long> GetPendingCountCoreAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>See <see cref="IQueueLeaseExtender.ExtendLeaseAsync"/>; the new end of the lease, or null when the
    /// consumer does not hold the message.</summary>
    protected abstract Task<DateTimeOffset?> ExtendLeaseCoreAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueueMonitor.GetQueueStatisticsAsync"/>.</summary>
    protected abstract Task<QueueStatistics> GetQueueStatisticsCoreAsync(string streamName, CancellationToken cancellationToken);

    private Task<T> Observe<T>(string operation, string name, ActivityKind kind, Func<Task<T>> call, Action<T, TagList>? onSuccess = null,
        string? eventId = null, string? correlationId = null) =>
        ObservedCall.RunAsync(_telemetry, SystemName, operation, name, kind, call, onSuccess, eventId, correlationId);
}
