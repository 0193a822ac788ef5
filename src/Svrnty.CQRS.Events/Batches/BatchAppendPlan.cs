using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Batches;

/// <summary>One append of a batch, decided: the events to write (none when all were already stored) and the offset of
/// its last event.</summary>
internal sealed record PlannedAppend(AppendOperation Operation, IReadOnlyList<ICorrelatedEvent> Fresh, long LastOffset);

/// <summary>
/// Decides the appends of an <see cref="EventBatch"/> against the streams' state, in the order they were added, with
/// the single-call rules (semantics 3, 4, 22): an append whose events are all stored (or appended earlier in the batch)
/// is an idempotent repeat and returns the offset of its last event; otherwise a wrong expected length fails the whole
/// batch; otherwise the events not stored yet are appended at the stream's length, which the next append to that
/// stream sees. Both backends use it: in memory under the streams' locks, on PostgreSQL after a batch met a conflict.
/// </summary>
internal static class BatchAppendPlan
{
    /// <param name="appends">The batch's appends, in order.</param>
    /// <param name="length">A stream's length now.</param>
    /// <param name="knownOffset">The offset of an event id stored in a stream, or null.</param>
    /// <exception cref="StreamConcurrencyException">An append's expected length is wrong.</exception>
    public static IReadOnlyList<PlannedAppend> Plan(IReadOnlyList<AppendOperation> appends, Func<string, long> length,
        Func<string, string, long?> knownOffset)
    {
        var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
        var added = new Dictionary<(string Stream, string EventId), long>();
        var plan = new List<PlannedAppend>(appends.Count);
        foreach (var append in appends)
        {
            var stream = append.StreamName;
            if (!lengths.TryGetValue(stream, out var current))
            {
                current = length(stream);
            }

            long? Known(string eventId) => added.TryGetValue((stream, eventId), out var offset) ? offset : knownOffset(stream, eventId);

            var fresh = append.Events.Where(e => Known(e.EventId) is null).ToArray();
            if (fresh.Length == 0)
            {
                plan.Add(new PlannedAppend(append, [], Known(append.Events[^1].EventId)!.Value));
                lengths[stream] = current;
                continue;
            }

            if (append.ExpectedLength is { } expected && expected != current)
            {
                throw new StreamConcurrencyException(stream, expected, current);
            }

            foreach (var e in fresh)
            {
                added[(stream, e.EventId)] = current++;
            }

            lengths[stream] = current;
            plan.Add(new PlannedAppend(append, fresh, current - 1));
        }

        return plan;
    }
}
