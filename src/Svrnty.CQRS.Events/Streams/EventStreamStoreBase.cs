using System.Diagnostics;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Serialization;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Streams;

/// <summary>
/// The base every backend's <see cref="IEventStreamStore"/> derives from: it applies the contract's argument rules
/// once, before any I/O, instruments every operation (a span and a duration, plus counters; nothing when no one
/// listens), and hands valid arguments to the backend's <c>*CoreAsync</c> methods.
/// </summary>
internal abstract class EventStreamStoreBase : IEventStreamStore, IQueueLeaseExtender, IEventStreamLocator, IEventQueueMonitor
{
    private readonly EventStreamingTelemetry _telemetry;

    /// <summary>Creates the store.</summary>
    /// <param name="telemetry">The shared metrics and traces.</param>
    protected EventStreamStoreBase(EventStreamingTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        _telemetry = telemetry;
    }

    /// <summary>The backend's name in telemetry (<c>db.system.name</c>), e.g. <c>postgresql</c>.</summary>
    protected abstract string SystemName { get; }

    /// <inheritdoc />
    public Task<long> AppendAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
        Argument.Event(@event, nameof(@event));
        return NameEventParameterAsync(() => AppendObservedAsync(streamName, [@event], expectedLength: null, cancellationToken));
    }

    /// <inheritdoc />
    public Task<long> AppendAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength = null,
        CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
        Argument.Events(events, nameof(events));
        if (expectedLength is { } expected)
        {
            Argument.NotNegative(expected, nameof(expectedLength));
        }

        return AppendObservedAsync(streamName, events, expectedLength, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamName, long fromOffset, int maxCount,
        CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
        Argument.NotNegative(fromOffset, nameof(fromOffset));
        Argument.MaxCount(maxCount, nameof(maxCount));
        return Observe("read", streamName, ActivityKind.Client, () => ReadStreamCoreAsync(streamName, fromOffset, maxCount, cancellationToken));
    }

    /// <inheritdoc />
    public Task<long> GetStreamLengthAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
        return Observe("length", streamName, ActivityKind.Client, () => GetStreamLengthCoreAsync(streamName, cancellationToken));
    }

    /// <inheritdoc />
    public Task<StreamMetadata> GetStreamMetadataAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
        return Observe("metadata", streamName, ActivityKind.Client, () => GetStreamMetadataCoreAsync(streamName, cancellationToken));
    }

    /// <inheritdoc />
    public Task EnqueueAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
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
        Argument.Name(streamName, nameof(streamName));
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
        Argument.Name(streamName, nameof(streamName));
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
        Argument.Name(streamName, nameof(streamName));
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
        Argument.Name(streamName, nameof(streamName));
        return Observe("pending", streamName, ActivityKind.Client, () => GetPendingCountCoreAsync(streamName, cancellationToken));
    }

    /// <inheritdoc />
    public Task<DateTimeOffset?> ExtendLeaseAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
        Argument.Name(eventId, nameof(eventId));
        Argument.Name(consumerId, nameof(consumerId));
        Argument.VisibilityTimeout(visibilityTimeout, nameof(visibilityTimeout));
        return Observe("extend_lease", streamName, ActivityKind.Client,
            () => ExtendLeaseCoreAsync(streamName, eventId, consumerId, visibilityTimeout, cancellationToken), eventId: eventId);
    }

    /// <inheritdoc />
    public Task<long> FindOffsetAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
        return Observe("find_offset", streamName, ActivityKind.Client, () => FindOffsetCoreAsync(streamName, timestamp, cancellationToken));
    }

    /// <inheritdoc />
    public Task<QueueStatistics> GetQueueStatisticsAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.Name(streamName, nameof(streamName));
        return Observe("queue_statistics", streamName, ActivityKind.Client, () => GetQueueStatisticsCoreAsync(streamName, cancellationToken));
    }

    /// <summary>See <see cref="IEventQueueMonitor.GetQueueStatisticsAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The statistics.</returns>
    protected abstract Task<QueueStatistics> GetQueueStatisticsCoreAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>Backends serialize a batch and name <c>events</c> when an event cannot be stored; a single-event append
    /// names its own parameter, <c>event</c>.</summary>
    private static async Task<long> NameEventParameterAsync(Func<Task<long>> append)
    {
        try
        {
            return await append().ConfigureAwait(false);
        }
        catch (InvalidEventException e) when (e.ParamName != "event")
        {
            throw e.For("event");
        }
    }

    private Task<long> AppendObservedAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength,
        CancellationToken cancellationToken)
    {
        var first = events.Count == 1 ? events.First() : null;
        return Observe("append", streamName, ActivityKind.Producer, () => AppendCoreAsync(streamName, events, expectedLength, cancellationToken),
            (_, tags) => _telemetry.Appended.Add(events.Count, tags), first?.EventId, first?.CorrelationId, events.Count);
    }

    /// <summary>Runs an operation inside a span and a duration measurement, when anyone listens.</summary>
    private Task<T> Observe<T>(string operation, string name, ActivityKind kind, Func<Task<T>> call, Action<T, TagList>? onSuccess = null,
        string? eventId = null, string? correlationId = null, int batchSize = 1)
    {
        return _telemetry.Enabled ? ObservedAsync() : call();

        async Task<T> ObservedAsync()
        {
            using var observed = new StoreOperation(_telemetry, operation, name, SystemName, kind);
            if (eventId is not null)
            {
                observed.Message(eventId, correlationId);
            }

            if (batchSize > 1)
            {
                observed.Activity?.SetTag("messaging.batch.message_count", batchSize);
            }

            try
            {
                var result = await call().ConfigureAwait(false);
                observed.Succeed();
                onSuccess?.Invoke(result, observed.Tags);
                return result;
            }
            catch (Exception e)
            {
                observed.Fail(e);
                throw;
            }
        }
    }

    /// <summary>See <see cref="IQueueLeaseExtender.ExtendLeaseAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="eventId">A valid event id.</param>
    /// <param name="consumerId">A valid consumer id.</param>
    /// <param name="visibilityTimeout">Positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new end of the lease, or null when the consumer does not hold the message.</returns>
    protected abstract Task<DateTimeOffset?> ExtendLeaseCoreAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventStreamLocator.FindOffsetAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="timestamp">The time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offset of the first event at or after the time, or the length.</returns>
    protected abstract Task<long> FindOffsetCoreAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken);

    /// <summary>Appends validated events; see <see cref="IEventStreamWriter.AppendAsync(string, IReadOnlyCollection{ICorrelatedEvent}, long?, CancellationToken)"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="events">At least one valid event, with distinct ids.</param>
    /// <param name="expectedLength">Null, or the stream's expected length (0 or more).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offset of the last appended event, or of the last event when all were already there.</returns>
    protected abstract Task<long> AppendCoreAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength,
        CancellationToken cancellationToken);

    /// <summary>Reads validated arguments; see <see cref="IEventStreamReader.ReadStreamAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="fromOffset">0 or more.</param>
    /// <param name="maxCount">1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The events.</returns>
    protected abstract Task<IReadOnlyList<StoredEvent>> ReadStreamCoreAsync(string streamName, long fromOffset, int maxCount,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventStreamReader.GetStreamLengthAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The length.</returns>
    protected abstract Task<long> GetStreamLengthCoreAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventStreamReader.GetStreamMetadataAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The metadata.</returns>
    protected abstract Task<StreamMetadata> GetStreamMetadataCoreAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.EnqueueAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="event">A valid event.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the event is enqueued.</returns>
    protected abstract Task EnqueueCoreAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.DequeueAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="consumerId">A valid consumer id.</param>
    /// <param name="visibilityTimeout">Positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The leased message or null.</returns>
    protected abstract Task<DequeuedEvent?> DequeueCoreAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.AcknowledgeAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="eventId">A valid event id.</param>
    /// <param name="consumerId">A valid consumer id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the message was held by the consumer and removed.</returns>
    protected abstract Task<bool> AcknowledgeCoreAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.NackAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="eventId">A valid event id.</param>
    /// <param name="consumerId">A valid consumer id.</param>
    /// <param name="requeue">Requeue or dead-letter.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the message was held by the consumer.</returns>
    protected abstract Task<bool> NackCoreAsync(string streamName, string eventId, string consumerId, bool requeue,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IEventQueue.GetPendingCountAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The pending count.</returns>
    protected abstract Task<long> GetPendingCountCoreAsync(string streamName, CancellationToken cancellationToken);
}
