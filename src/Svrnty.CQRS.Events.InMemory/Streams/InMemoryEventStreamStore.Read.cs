using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.InMemory.Streams;

internal sealed partial class InMemoryEventStreamStore
{
    protected override Task<IReadOnlyList<StoredEvent>> ReadStreamCoreAsync(string streamName, long fromOffset, int maxCount,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (LogStreams.IsLog(streamName))
        {
            return Task.FromResult(ReadLog(streamName, fromOffset, maxCount));
        }

        if (storage.FindStream(streamName) is not { } stream)
        {
            return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
        }

        InMemoryStream.Entry[] slice;
        lock (stream.Sync)
        {
            slice = stream.Slice(fromOffset, maxCount);
        }

        var events = new StoredEvent[slice.Length];
        for (var i = 0; i < slice.Length; i++)
        {
            events[i] = ToStoredEvent(streamName, slice[i]);
        }

        return Task.FromResult<IReadOnlyList<StoredEvent>>(events);
    }

    private StoredEvent ToStoredEvent(string streamName, InMemoryStream.Entry entry) => new()
    {
        StreamName = streamName,
        Offset = entry.Offset,
        Position = entry.Offset,
        EventId = entry.EventId,
        EventType = entry.EventType,
        CorrelationId = entry.CorrelationId,
        Event = Deserialize(entry.EventType, entry.Json, entry.EventId, entry.CorrelationId, entry.OccurredAt),
        Json = entry.Json,
        Timestamp = entry.Timestamp,
        TraceParent = entry.TraceParent,
    };

    protected override Task<long> GetStreamLengthCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (LogStreams.IsLog(streamName))
        {
            return Task.FromResult(GetLogLength(streamName));
        }

        if (storage.FindStream(streamName) is not { } stream)
        {
            return Task.FromResult(0L);
        }

        lock (stream.Sync)
        {
            return Task.FromResult(stream.Length);
        }
    }

    protected override Task<long> FindOffsetCoreAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (LogStreams.IsLog(streamName))
        {
            return Task.FromResult(FindLogPosition(streamName, timestamp));
        }

        if (storage.FindStream(streamName) is not { } stream)
        {
            return Task.FromResult(0L);
        }

        lock (stream.Sync)
        {
            return Task.FromResult(stream.FindOffset(timestamp));
        }
    }

    protected override Task<StreamMetadata> GetStreamMetadataCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (LogStreams.IsLog(streamName))
        {
            return Task.FromResult(GetLogMetadata(streamName));
        }

        if (storage.FindStream(streamName) is not { } stream)
        {
            return Task.FromResult(new StreamMetadata { StreamName = streamName, Exists = false, Length = 0, RetainedCount = 0 });
        }

        lock (stream.Sync)
        {
            return Task.FromResult(stream.Metadata());
        }
    }
}
