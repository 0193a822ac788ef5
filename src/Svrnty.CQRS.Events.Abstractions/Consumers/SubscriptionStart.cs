namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Where a consumer group that has never committed an offset starts reading a stream.</summary>
public sealed record SubscriptionStart
{
    private SubscriptionStart(SubscriptionStartKind kind, long offset, DateTimeOffset timestamp)
    {
        Kind = kind;
        Offset = offset;
        Timestamp = timestamp;
    }

    /// <summary>From the oldest retained event.</summary>
    public static SubscriptionStart Beginning { get; } = new(SubscriptionStartKind.Beginning, 0, default);

    /// <summary>From the next event appended (events already in the stream are skipped).</summary>
    public static SubscriptionStart End { get; } = new(SubscriptionStartKind.End, 0, default);

    /// <summary>What kind of start this is.</summary>
    public SubscriptionStartKind Kind { get; }

    /// <summary>The offset, for <see cref="SubscriptionStartKind.Offset"/>.</summary>
    public long Offset { get; }

    /// <summary>The time, for <see cref="SubscriptionStartKind.Timestamp"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>From a given offset (or the oldest retained event, if that offset was deleted).</summary>
    /// <param name="offset">The first offset to read; 0 or more.</param>
    /// <returns>The start.</returns>
    public static SubscriptionStart AtOffset(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new(SubscriptionStartKind.Offset, offset, default);
    }

    /// <summary>From the first event the store accepted at or after a time.</summary>
    /// <param name="timestamp">The time.</param>
    /// <returns>The start.</returns>
    public static SubscriptionStart AtTimestamp(DateTimeOffset timestamp) => new(SubscriptionStartKind.Timestamp, 0, timestamp);
}

/// <summary>The kinds of <see cref="SubscriptionStart"/>.</summary>
public enum SubscriptionStartKind
{
    /// <summary>From the oldest retained event.</summary>
    Beginning,

    /// <summary>From the next event appended.</summary>
    End,

    /// <summary>From a given offset.</summary>
    Offset,

    /// <summary>From the first event accepted at or after a time.</summary>
    Timestamp,
}
