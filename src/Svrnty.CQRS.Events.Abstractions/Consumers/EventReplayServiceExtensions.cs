namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Replays into the natural <see cref="Task"/>-returning handler too.</summary>
public static class EventReplayServiceExtensions
{
    /// <summary>Replays events in offset order into a <see cref="Task"/>-returning <paramref name="handler"/>, as
    /// <see cref="IEventReplayService.ReplayAsync"/> does with a <see cref="ValueTask"/>-returning one.</summary>
    /// <param name="replay">The replay service.</param>
    /// <param name="streamName">The stream.</param>
    /// <param name="handler">Called for each event, one at a time.</param>
    /// <param name="options">Range, page size and rate cap; null to replay everything retained.</param>
    /// <param name="progress">Receives a report after each page; may be null.</param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <returns>What was replayed.</returns>
    public static Task<ReplayProgress> ReplayAsync(this IEventReplayService replay, string streamName, Func<StoredEvent, CancellationToken, Task> handler,
        ReplayOptions? options = null, IProgress<ReplayProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(handler);
        return replay.ReplayAsync(streamName, (e, ct) => new ValueTask(handler(e, ct)), options, progress, cancellationToken);
    }
}
