using System.Diagnostics;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Serialization;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Streams;

/// <summary>
/// The base every backend's stream store derives from: it applies the contract's argument rules once, before any I/O,
/// instruments every operation (a span and a duration, plus counters; nothing when no one listens), and hands valid
/// arguments to the backend's <c>*CoreAsync</c> methods. The queue half of <see cref="IEventStreamStore"/> is the
/// backend's queue store (<c>Queues/EventQueueBase</c>), to which those calls are forwarded unchanged.
/// </summary>
internal abstract class EventStreamStoreBase : IEventStreamStore, IEventStreamLocator
{
    private readonly EventStreamingTelemetry _telemetry;
    private readonly IEventQueue _queue;

    /// <summary>Creates the store.</summary>
    /// <param name="telemetry">The shared metrics and traces.</param>
    /// <param name="queue">The backend's queue store (an <c>EventQueueBase</c>), which serves the queue half of
    /// <see cref="IEventStreamStore"/>.</param>
    protected EventStreamStoreBase(EventStreamingTelemetry telemetry, IEventQueue queue)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(queue);
        _telemetry = telemetry;
        _queue = queue;
    }

    /// <summary>The backend's name in telemetry (<c>db.system.name</c>), e.g. <c>postgresql</c>.</summary>
    protected abstract string SystemName { get; }

    /// <inheritdoc />
    public Task<long> AppendAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Event(@event, nameof(@event));
        return NameEventParameterAsync(() => AppendObservedAsync(streamName, [@event], expectedLength: null, cancellationToken));
    }

    /// <inheritdoc />
    public Task<long> AppendAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength = null,
        CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
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
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.NotNegative(fromOffset, nameof(fromOffset));
        Argument.MaxCount(maxCount, nameof(maxCount));
        return Observe("read", streamName, ActivityKind.Client, () => ReadStreamCoreAsync(streamName, fromOffset, maxCount, cancellationToken));
    }

    /// <inheritdoc />
    public Task<long> GetStreamLengthAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        return Observe("length", streamName, ActivityKind.Client, () => GetStreamLengthCoreAsync(streamName, cancellationToken));
    }

    /// <inheritdoc />
    public Task<StreamMetadata> GetStreamMetadataAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        return Observe("metadata", streamName, ActivityKind.Client, () => GetStreamMetadataCoreAsync(streamName, cancellationToken));
    }

    /// <inheritdoc />
    public Task EnqueueAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default) =>
        _queue.EnqueueAsync(streamName, @event, cancellationToken);

    /// <inheritdoc />
    public Task<DequeuedEvent?> DequeueAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default) =>
        _queue.DequeueAsync(streamName, consumerId, visibilityTimeout, cancellationToken);

    /// <inheritdoc />
    public Task<bool> AcknowledgeAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken = default) =>
        _queue.AcknowledgeAsync(streamName, eventId, consumerId, cancellationToken);

    /// <inheritdoc />
    public Task<bool> NackAsync(string streamName, string eventId, string consumerId, bool requeue = true,
        CancellationToken cancellationToken = default) =>
        _queue.NackAsync(streamName, eventId, consumerId, requeue, cancellationToken);

    /// <inheritdoc />
    public Task<long> GetPendingCountAsync(string streamName, CancellationToken cancellationToken = default) =>
        _queue.GetPendingCountAsync(streamName, cancellationToken);

    /// <inheritdoc />
    public Task<EventBatchResult> WriteAsync(EventBatch batch, CancellationToken cancellationToken = default)
    {
        Argument.Batch(batch, nameof(batch));
        int appended = 0, enqueued = 0, acknowledged = 0;
        foreach (var operation in batch.Operations)
        {
            switch (operation)
            {
                case AppendOperation a:
                    appended += a.Events.Count;
                    break;
                case EnqueueOperation:
                    enqueued++;
                    break;
                case AcknowledgeOperation:
                    acknowledged++;
                    break;
            }
        }

        var destination = batch.Operations[0] switch
        {
            AppendOperation a => a.StreamName,
            EnqueueOperation e => e.QueueName,
            CommitOffsetOperation c => c.StreamName,
            AcknowledgeOperation k => k.QueueName,
            _ => "batch",
        };
        return Observe("write_batch", destination, ActivityKind.Producer, () => WriteCoreAsync(batch, cancellationToken),
            (_, tags) => CountBatch(tags, appended, enqueued, acknowledged), batchSize: batch.Count);
    }

    /// <summary>A successful batch counts its appended events, enqueued messages and acknowledgements, tagged like its
    /// span (by the destination of its first operation).</summary>
    private void CountBatch(TagList tags, int appended, int enqueued, int acknowledged)
    {
        if (appended > 0)
        {
            _telemetry.Appended.Add(appended, tags);
        }

        if (enqueued > 0)
        {
            _telemetry.Enqueued.Add(enqueued, tags);
        }

        if (acknowledged > 0)
        {
            _telemetry.Acknowledged.Add(acknowledged, tags);
        }
    }

    /// <inheritdoc />
    public Task<long> FindOffsetAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        return Observe("find_offset", streamName, ActivityKind.Client, () => FindOffsetCoreAsync(streamName, timestamp, cancellationToken));
    }

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

    private Task<T> Observe<T>(string operation, string name, ActivityKind kind, Func<Task<T>> call, Action<T, TagList>? onSuccess = null,
        string? eventId = null, string? correlationId = null, int batchSize = 1) =>
        ObservedCall.RunAsync(_telemetry, SystemName, operation, name, kind, call, onSuccess, eventId, correlationId, batchSize);

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

    /// <summary>Writes a validated, non-empty batch atomically; see <see cref="IEventBatchWriter.WriteAsync"/>.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offsets of the appends.</returns>
    protected abstract Task<EventBatchResult> WriteCoreAsync(EventBatch batch, CancellationToken cancellationToken);
}
