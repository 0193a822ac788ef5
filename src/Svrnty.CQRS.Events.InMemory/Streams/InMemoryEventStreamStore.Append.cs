using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.InMemory.Streams;

internal sealed partial class InMemoryEventStreamStore
{
    protected override Task<long> AppendCoreAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Serialize before taking the lock: a payload that cannot be serialized fails with nothing written.
        var serialized = events.Select(e =>
        {
            var data = serializer.Serialize(e, nameof(events));
            return (Event: e, data.EventType, data.Json);
        }).ToArray();
        var stream = storage.GetOrAddStream(streamName);
        var last = -1L;
        lock (stream.Sync)
        {
            var fresh = serialized.Where(s => !stream.TryGetOffset(s.Event.EventId, out _)).ToArray();
            if (fresh.Length == 0)
            {
                stream.TryGetOffset(serialized[^1].Event.EventId, out var existing);
                return Task.FromResult(existing);
            }

            if (expectedLength is { } expected && expected != stream.Length)
            {
                throw new StreamConcurrencyException(streamName, expected, stream.Length);
            }

            // Still under the stream's lock: each stream's order is kept in the logs, and the append gets contiguous
            // positions, visible together.
            lock (storage.Logs.Sync)
            {
                last = AddEvents(stream, fresh, InMemoryClock.Now(time), TraceContext.Current);
            }
        }

        storage.Signals.NotifyAppended(streamName);
        return Task.FromResult(last);
    }

    /// <summary>
    /// Writes the events of one append that are not stored yet at the stream's end and into the logs, accepted at
    /// <paramref name="now"/> but never earlier than the stream's last append (like the PostgreSQL backend: a start from
    /// a timestamp finds the first event accepted at or after it by binary search, which needs acceptance times in offset
    /// order). The caller holds the stream's lock and the logs' lock. Returns the offset of the last event.
    /// </summary>
    private long AddEvents(InMemoryStream stream, IReadOnlyList<(ICorrelatedEvent Event, string EventType, string Json)> fresh,
        DateTimeOffset now, string? traceParent)
    {
        var at = now < stream.LastAcceptedAt ? stream.LastAcceptedAt : now;
        var first = stream.Length;
        var last = -1L;
        foreach (var (e, eventType, json) in fresh)
        {
            last = stream.Add(new InMemoryStream.Entry(0, e.EventId, eventType, e.CorrelationId, json, e.OccurredAt, at, traceParent));
        }

        storage.Logs.Add(stream, stream.Slice(first, fresh.Count));
        return last;
    }
}
