using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.InMemory.Streams;

/// <summary>
/// A log stream (<see cref="LogStreams.All"/> or a category's log): the positions of events of other streams, in the
/// order they became visible. Guarded by <see cref="InMemoryLogs.Sync"/>, which an append takes while it still holds its
/// stream's lock, so each stream's order is kept and an append's events get contiguous positions, visible together.
/// Entries whose events retention deleted are skipped on read; a dead prefix is dropped (positions are never reused).
/// </summary>
internal sealed class InMemoryLog(string name)
{
    private readonly List<Entry> _entries = [];
    private int _head;
    private long _base;

    public string Name { get; } = name;

    /// <summary>Positions ever assigned: the next position.</summary>
    public long Length => _base + _entries.Count - _head;

    public void Add(InMemoryStream stream, long offset, DateTimeOffset timestamp) => _entries.Add(new Entry(stream, offset, timestamp));

    /// <summary>At most <paramref name="maxCount"/> live entries from <paramref name="fromPosition"/>, with their positions.</summary>
    public List<(long Position, Entry Entry)> Slice(long fromPosition, int maxCount)
    {
        DropDeadPrefix();
        var result = new List<(long, Entry)>(Math.Min(maxCount, 256));
        var start = Math.Max(fromPosition, _base);
        for (var position = start; position < Length && result.Count < maxCount; position++)
        {
            var entry = _entries[(int)(position - _base) + _head];
            if (entry.IsLive)
            {
                result.Add((position, entry));
            }
        }

        return result;
    }

    /// <summary>The first live position whose event was accepted at or after <paramref name="timestamp"/>, or the length.</summary>
    public long FindPosition(DateTimeOffset timestamp)
    {
        foreach (var (position, entry) in Live())
        {
            if (entry.Timestamp >= timestamp)
            {
                return position;
            }
        }

        return Length;
    }

    public StreamMetadata Metadata()
    {
        (long Position, Entry Entry)? oldest = null, newest = null;
        long retained = 0;
        foreach (var live in Live())
        {
            oldest ??= live;
            newest = live;
            retained++;
        }

        return new StreamMetadata
        {
            StreamName = Name,
            Exists = Length > 0,
            Length = Length,
            RetainedCount = retained,
            OldestEventOffset = oldest?.Position,
            NewestEventOffset = newest?.Position,
            OldestEventTimestamp = oldest?.Entry.Timestamp,
            NewestEventTimestamp = newest?.Entry.Timestamp,
        };
    }

    private IEnumerable<(long Position, Entry Entry)> Live()
    {
        DropDeadPrefix();
        for (var i = _head; i < _entries.Count; i++)
        {
            if (_entries[i].IsLive)
            {
                yield return (_base + i - _head, _entries[i]);
            }
        }
    }

    /// <summary>Retention only deletes a stream's prefix, so an entry that is dead stays dead and can be dropped.</summary>
    private void DropDeadPrefix()
    {
        while (_head < _entries.Count && !_entries[_head].IsLive)
        {
            _head++;
            _base++;
        }

        if (_head > 1024 && _head > _entries.Count / 2)
        {
            _entries.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>An event of <see cref="Stream"/> at <see cref="Offset"/>, accepted at <see cref="Timestamp"/>.</summary>
    public sealed record Entry(InMemoryStream Stream, long Offset, DateTimeOffset Timestamp)
    {
        /// <summary>Not yet deleted by retention (a stream's retained offsets only move forward).</summary>
        public bool IsLive => Offset >= Stream.FirstRetainedOffset;
    }
}

/// <summary>The log streams of one <see cref="InMemoryEventStorage"/>, and the lock that numbers them.</summary>
internal sealed class InMemoryLogs
{
    private readonly Dictionary<string, InMemoryLog> _logs = new(StringComparer.Ordinal);

    /// <summary>Taken by an append (inside its stream's lock) and by every log read; never held while taking a
    /// stream's lock.</summary>
    public Lock Sync { get; } = new();

    /// <summary>Adds a stream's newly appended events to <see cref="LogStreams.All"/> and to its category's log. Call
    /// with <see cref="Sync"/> held.</summary>
    public void Add(InMemoryStream stream, IEnumerable<InMemoryStream.Entry> appended)
    {
        var all = Get(LogStreams.All);
        var category = LogStreams.CategoryOf(stream.Name) is { } c ? Get(LogStreams.CategoryPrefix + c) : null;
        foreach (var entry in appended)
        {
            all.Add(stream, entry.Offset, entry.Timestamp);
            category?.Add(stream, entry.Offset, entry.Timestamp);
        }
    }

    /// <summary>The log, or null when nothing was ever appended to it. Call with <see cref="Sync"/> held.</summary>
    public InMemoryLog? Find(string name) => _logs.GetValueOrDefault(name);

    private InMemoryLog Get(string name)
    {
        if (!_logs.TryGetValue(name, out var log))
        {
            _logs[name] = log = new InMemoryLog(name);
        }

        return log;
    }
}
