using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>The <see cref="IEventReplayService"/> of every backend: one page in memory at a time.</summary>
internal sealed class EventReplayService(IEventStreamReader reader, IEventStreamLocator locator, TimeProvider time) : IEventReplayService
{
    public async Task<ReplayProgress> ReplayAsync(string streamName, Func<StoredEvent, CancellationToken, ValueTask> handler,
        ReplayOptions? options = null, IProgress<ReplayProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        ArgumentNullException.ThrowIfNull(handler);
        options ??= new ReplayOptions();
        Argument.NotNegative(options.FromOffset, nameof(options));
        Argument.MaxCount(options.PageSize, nameof(options));
        if (options.ToOffset is < 0 || options.MaxEventsPerSecond is <= 0)
        {
            throw new ArgumentException("ToOffset must not be negative and MaxEventsPerSecond must be positive.", nameof(options));
        }

        var next = options.FromTimestamp is { } from
            ? Math.Max(options.FromOffset, await locator.FindOffsetAsync(streamName, from, cancellationToken).ConfigureAwait(false))
            : options.FromOffset;
        var end = options.ToOffset is { } to
            ? to + 1
            : await reader.GetStreamLengthAsync(streamName, cancellationToken).ConfigureAwait(false);
        var total = Math.Max(0, end - next);
        var started = time.GetTimestamp();
        var done = 0L;
        long? last = null;

        while (next < end)
        {
            var page = await reader.ReadStreamAsync(streamName, next, (int)Math.Min(options.PageSize, end - next), cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var storedEvent in page)
            {
                if (storedEvent.Position >= end)
                {
                    break;
                }

                await handler(storedEvent, cancellationToken).ConfigureAwait(false);
                done++;
                last = storedEvent.Position;
                if (options.MaxEventsPerSecond is { } cap)
                {
                    await PaceAsync(done, cap, started, cancellationToken).ConfigureAwait(false);
                }
            }

            next = page[^1].Position + 1;
            progress?.Report(Report(done, total, started, last));
        }

        return Report(done, total, started, last);
    }

    private async Task PaceAsync(long done, double cap, long started, CancellationToken cancellationToken)
    {
        var due = TimeSpan.FromSeconds(done / cap);
        var elapsed = time.GetElapsedTime(started);
        if (due > elapsed)
        {
            await Task.Delay(due - elapsed, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private ReplayProgress Report(long done, long total, long started, long? last)
    {
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        return new ReplayProgress(done, total, seconds > 0 ? done / seconds : 0, last);
    }
}
