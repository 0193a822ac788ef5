namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Replays a stream, or a range of it, into a handler, page by page with flat memory.</summary>
public interface IEventReplayService
{
    /// <summary>Replays events in offset order into <paramref name="handler"/>.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="handler">Called for each event, one at a time.</param>
    /// <param name="options">Range, page size and rate cap; null to replay everything retained.</param>
    /// <param name="progress">Receives a report after each page; may be null.</param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <returns>What was replayed.</returns>
    Task<ReplayProgress> ReplayAsync(string streamName, Func<StoredEvent, CancellationToken, ValueTask> handler, ReplayOptions? options = null,
        IProgress<ReplayProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>Which events a replay covers and how fast it goes.</summary>
public sealed record ReplayOptions
{
    /// <summary>The first offset; the oldest retained event when that offset was deleted.</summary>
    /// <value>Default: 0.</value>
    public long FromOffset { get; init; }

    /// <summary>If set, start instead at the first event accepted at or after this time.</summary>
    /// <value>Default: null.</value>
    public DateTimeOffset? FromTimestamp { get; init; }

    /// <summary>The last offset replayed (inclusive); null for up to the stream's length when the replay starts.</summary>
    /// <value>Default: null.</value>
    public long? ToOffset { get; init; }

    /// <summary>Events read per round trip; also the most held in memory.</summary>
    /// <value>Default: 1,000. 1 to 10,000.</value>
    public int PageSize { get; init; } = 1_000;

    /// <summary>If set, the replay is paced to at most this many events per second.</summary>
    /// <value>Default: null (no cap).</value>
    public double? MaxEventsPerSecond { get; init; }
}

/// <summary>How far a replay has come.</summary>
/// <param name="EventsDone">Events handled so far.</param>
/// <param name="TotalEvents">Events the replay expects to handle (from the range and the stream's length at start; retention may make it fewer).</param>
/// <param name="EventsPerSecond">The average rate so far.</param>
/// <param name="LastOffset">The offset of the last event handled, or null before the first.</param>
public sealed record ReplayProgress(long EventsDone, long TotalEvents, double EventsPerSecond, long? LastOffset);
