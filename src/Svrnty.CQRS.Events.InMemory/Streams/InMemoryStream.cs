using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.InMemory.Streams;

/// <summary>One stream's log. Every member is guarded by the instance's own lock, so streams never contend.</summary>
internal sealed class InMemoryStream(string name)
{
    private readonly List<Entry> _events = [];
    private readonly Dictionary<string, long> _offsetsById = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public Lock Sync { get; } = new();

    /// <summary>The number of events ever appended: the next offset.</summary>
    public long Length { get; private set; }

    private long _firstRetainedOffset;

    /// <summary>The offset of <c>_events[0]</c>; equals <see cref="Length"/> when nothing is retained. It only moves
    /// forward, so log readers may read it without the stream's lock.</summary>
    public long FirstRetainedOffset
    {
        get => Volatile.Read(ref _firstRetainedOffset);
        private set => Volatile.Write(ref _firstRetainedOffset, value);
    }

    public int RetainedCount => _events.Count;

    /// <summary>The acceptance time of the last append, kept after retention deletes the event, so that acceptance times
    /// never decrease along the stream even when the clock does.</summary>
    public DateTimeOffset LastAcceptedAt { get; private set; }

    public bool TryGetOffset(string eventId, out long offset) => _offsetsById.TryGetValue(eventId, out offset);

    public long Add(Entry entry)
    {
        _events.Add(entry with { Offset = Length });
        _offsetsById.Add(entry.EventId, Length);
        LastAcceptedAt = entry.Timestamp;
        return Length++;
    }

    /// <summary>The retained entry at <paramref name="offset"/>, if any.</summary>
    public bool TryGet(long offset, out Entry entry)
    {
        var index = offset - FirstRetainedOffset;
        if (index < 0 || index >= _events.Count)
        {
            entry = null!;
            return false;
        }

        entry = _events[(int)index];
        return true;
    }

    /// <summary>Copies at most <paramref name="maxCount"/> entries from <paramref name="fromOffset"/> (or the oldest
    /// retained one) without scanning from the start.</summary>
    public Entry[] Slice(long fromOffset, int maxCount)
    {
        var skip = Math.Max(0, fromOffset - FirstRetainedOffset);
        if (skip >= _events.Count)
        {
            return [];
        }

        var start = (int)skip;

        return _events.GetRange(start, Math.Min(maxCount, _events.Count - start)).ToArray();
    }

    /// <summary>The offset of the first retained event accepted at or after <paramref name="timestamp"/>, by binary
    /// search (acceptance times never decrease along a stream), or <see cref="Length"/>.</summary>
    public long FindOffset(DateTimeOffset timestamp)
    {
        int low = 0, high = _events.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_events[middle].Timestamp < timestamp)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low < _events.Count ? _events[low].Offset : Length;
    }

    public StreamMetadata Metadata()
    {
        var oldest = _events.Count > 0 ? _events[0] : null;
        var newest = _events.Count > 0 ? _events[^1] : null;
        return new StreamMetadata
        {
            StreamName = Name,
            Exists = Length > 0,
            Length = Length,
            RetainedCount = _events.Count,
            OldestEventOffset = oldest?.Offset,
            NewestEventOffset = newest?.Offset,
            OldestEventTimestamp = oldest?.Timestamp,
            NewestEventTimestamp = newest?.Timestamp,
        };
    }

    /// <summary>
    /// Deletes, oldest first, at most <paramref name="maxCount"/> events: those beyond the newest
    /// <paramref name="keepNewest"/>, and those accepted before <paramref name="olderThan"/> up to the oldest that was
    /// not, whichever reaches further. Only a prefix is deleted.
    /// </summary>
    public int TrimPrefix(long? keepNewest, DateTimeOffset? olderThan, int maxCount)
    {
        var limit = Math.Min(maxCount, _events.Count);
        var byCount = keepNewest is { } keep ? (int)Math.Clamp(_events.Count - keep, 0, limit) : 0;
        var byAge = 0;
        if (olderThan is { } cutoff)
        {
            while (byAge < limit && _events[byAge].Timestamp < cutoff)
            {
                byAge++;
            }
        }

        return TrimOldest(Math.Max(byCount, byAge));
    }

    /// <summary>Deletes the oldest <paramref name="count"/> retained events. Offsets are never reused.</summary>
    public int TrimOldest(int count)
    {
        count = Math.Min(count, _events.Count);
        for (var i = 0; i < count; i++)
        {
            _offsetsById.Remove(_events[i].EventId);
        }

        _events.RemoveRange(0, count);
        FirstRetainedOffset = _events.Count > 0 ? _events[0].Offset : Length;
        return count;
    }

    /// <summary>An event in its stored form.</summary>
    public sealed record Entry(
        long Offset,
        string EventId,
        string EventType,
        string? CorrelationId,
        string Json,
        DateTimeOffset OccurredAt,
        DateTimeOffset Timestamp,
        string? TraceParent);
}
