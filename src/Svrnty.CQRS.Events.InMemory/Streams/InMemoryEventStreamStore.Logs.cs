using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.InMemory.Streams;

/// <summary>Reads of the log streams (<see cref="LogStreams"/>): the same operations as a stream's, with positions.</summary>
internal sealed partial class InMemoryEventStreamStore
{
    private IReadOnlyList<StoredEvent> ReadLog(string logName, long fromPosition, int maxCount)
    {
        List<(long Position, InMemoryLog.Entry Entry)> slice;
        lock (storage.Logs.Sync)
        {
            slice = storage.Logs.Find(logName)?.Slice(fromPosition, maxCount) ?? [];
        }

        // The events themselves under their own streams' locks, never while holding the logs' lock (appends take the
        // stream's lock first). One that retention deleted in between is skipped, as a deleted event always is.
        var events = new List<StoredEvent>(slice.Count);
        foreach (var (position, entry) in slice)
        {
            InMemoryStream.Entry stored;
            lock (entry.Stream.Sync)
            {
                if (!entry.Stream.TryGet(entry.Offset, out stored))
                {
                    continue;
                }
            }

            events.Add(ToStoredEvent(entry.Stream.Name, stored) with { Position = position });
        }

        return events;
    }

    private long GetLogLength(string logName)
    {
        lock (storage.Logs.Sync)
        {
            return storage.Logs.Find(logName)?.Length ?? 0;
        }
    }

    private long FindLogPosition(string logName, DateTimeOffset timestamp)
    {
        lock (storage.Logs.Sync)
        {
            return storage.Logs.Find(logName)?.FindPosition(timestamp) ?? 0;
        }
    }

    private StreamMetadata GetLogMetadata(string logName)
    {
        lock (storage.Logs.Sync)
        {
            return storage.Logs.Find(logName)?.Metadata()
                ?? new StreamMetadata { StreamName = logName, Exists = false, Length = 0, RetainedCount = 0 };
        }
    }
}
