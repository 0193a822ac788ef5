namespace Svrnty.CQRS.Events.InMemory.Queues;

/// <summary>One queue and its dead letters. Every member is guarded by the instance's own lock.</summary>
internal sealed class InMemoryQueue(string name)
{
    private readonly SortedDictionary<long, Message> _bySequence = [];
    private readonly Dictionary<string, Message> _byId = new(StringComparer.Ordinal);
    private readonly List<DeadMessage> _deadLetters = [];
    private long _nextSequence;

    public string Name { get; } = name;

    public Lock Sync { get; } = new();

    public int PendingCount => _byId.Count;

    public IReadOnlyList<DeadMessage> DeadLetters => _deadLetters;

    /// <summary>Adds a message unless one with the same id is pending.</summary>
    public bool TryAdd(Payload payload, DateTimeOffset now)
    {
        if (_byId.ContainsKey(payload.EventId))
        {
            return false;
        }

        var message = new Message(_nextSequence++, payload, now);
        _bySequence.Add(message.Sequence, message);
        _byId.Add(payload.EventId, message);
        return true;
    }

    public Message? Find(string eventId) => _byId.GetValueOrDefault(eventId);

    /// <summary>The oldest message that is not leased (never leased, released, or whose lease has expired).</summary>
    public Message? FirstVisible(DateTimeOffset now)
    {
        foreach (var message in _bySequence.Values)
        {
            if (message.VisibleAt <= now)
            {
                return message;
            }
        }

        return null;
    }

    /// <summary>Visible and leased counts and the oldest pending message's enqueue time.</summary>
    public (long Visible, long InFlight, DateTimeOffset? OldestEnqueuedAt) Statistics(DateTimeOffset now)
    {
        long visible = 0, inFlight = 0;
        DateTimeOffset? oldest = null;
        foreach (var message in _bySequence.Values)
        {
            if (message.VisibleAt <= now)
            {
                visible++;
            }
            else
            {
                inFlight++;
            }

            oldest ??= message.EnqueuedAt;
        }

        return (visible, inFlight, oldest);
    }

    public void Remove(Message message)
    {
        _bySequence.Remove(message.Sequence);
        _byId.Remove(message.Payload.EventId);
    }

    /// <summary>Moves a message to the dead letters, replacing an older dead letter with the same id.</summary>
    public void DeadLetter(Message message, string reason, DateTimeOffset now)
    {
        Remove(message);
        _deadLetters.RemoveAll(d => d.Payload.EventId == message.Payload.EventId);
        _deadLetters.Add(new DeadMessage(message.Payload, message.DeliveryCount, reason, now));
    }

    public DeadMessage? TakeDeadLetter(string eventId)
    {
        var index = _deadLetters.FindIndex(d => d.Payload.EventId == eventId);
        if (index < 0)
        {
            return null;
        }

        var dead = _deadLetters[index];
        _deadLetters.RemoveAt(index);
        return dead;
    }

    public int PurgeDeadLetters()
    {
        var count = _deadLetters.Count;
        _deadLetters.Clear();
        return count;
    }

    /// <summary>Deletes, oldest first, at most <paramref name="maxCount"/> dead letters dead-lettered before
    /// <paramref name="olderThan"/>.</summary>
    public int DeleteDeadLettersBefore(DateTimeOffset olderThan, int maxCount)
    {
        var doomed = _deadLetters.Where(d => d.DeadLetteredAt < olderThan).OrderBy(d => d.DeadLetteredAt).Take(maxCount).ToHashSet();
        return doomed.Count == 0 ? 0 : _deadLetters.RemoveAll(doomed.Contains);
    }

    /// <summary>A message's event in its stored form.</summary>
    public sealed record Payload(string EventId, string EventType, string? CorrelationId, string Json, DateTimeOffset OccurredAt, string? TraceParent);

    /// <summary>A pending message.</summary>
    public sealed class Message(long sequence, Payload payload, DateTimeOffset enqueuedAt)
    {
        public long Sequence { get; } = sequence;

        public Payload Payload { get; } = payload;

        public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

        public int DeliveryCount { get; set; }

        /// <summary>The consumer that took the latest lease; it may ack while no other consumer has taken it since.</summary>
        public string? Holder { get; set; }

        /// <summary>When the message is visible: the enqueue time, or the end of its lease.</summary>
        public DateTimeOffset VisibleAt { get; set; } = enqueuedAt;
    }

    /// <summary>A dead-lettered message.</summary>
    public sealed record DeadMessage(Payload Payload, int DeliveryCount, string Reason, DateTimeOffset DeadLetteredAt);
}
