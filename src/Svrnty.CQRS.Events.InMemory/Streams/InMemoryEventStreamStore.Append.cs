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
        var serialized = events.Select(e => (Event: e, Data: serializer.Serialize(e, nameof(events)))).ToArray();
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

            // Never earlier than the stream's last append, like the PostgreSQL backend: a start from a timestamp finds the
            // first event accepted at or after it by binary search, which needs acceptance times in offset order.
            var now = InMemoryClock.Now(time);
            if (now < stream.LastAcceptedAt)
            {
                now = stream.LastAcceptedAt;
            }

            var traceParent = TraceContext.Current;
            var first = stream.Length;
            foreach (var (e, data) in fresh)
            {
                last = stream.Add(new InMemoryStream.Entry(0, e.EventId, data.EventType, e.CorrelationId, data.Json, e.OccurredAt, now, traceParent));
            }

            // Still under the stream's lock: each stream's order is kept in the logs, and the batch gets contiguous
            // positions, visible together.
            lock (storage.Logs.Sync)
            {
                storage.Logs.Add(stream, stream.Slice(first, fresh.Length));
            }
        }

        storage.Signals.NotifyAppended(streamName);
        return Task.FromResult(last);
    }
}
