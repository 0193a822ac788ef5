using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Reads a stream page by page from an offset, then waits for appends (a notification, or the poll interval as the
/// safety net) and goes on. Shared by subscriptions and hosted stream consumers. At most one page is held.
/// </summary>
internal sealed class StreamFollower(
    IEventStreamReader reader,
    IEventStreamLocator locator,
    IConsumerOffsetStore offsets,
    IStreamChangeNotifier notifier,
    TimeProvider time,
    ILogger<StreamFollower> logger)
{
    /// <summary>The group's committed offset, or where <paramref name="start"/> says a new group begins.</summary>
    public async Task<long> ResolveStartAsync(string streamName, string consumerGroup, SubscriptionStart start, CancellationToken cancellationToken)
    {
        if (await offsets.GetOffsetAsync(streamName, consumerGroup, cancellationToken).ConfigureAwait(false) is { } committed)
        {
            return committed;
        }

        return start.Kind switch
        {
            SubscriptionStartKind.Beginning => 0,
            SubscriptionStartKind.End => await reader.GetStreamLengthAsync(streamName, cancellationToken).ConfigureAwait(false),
            SubscriptionStartKind.Offset => start.Offset,
            SubscriptionStartKind.Timestamp => await locator.FindOffsetAsync(streamName, start.Timestamp, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(start), start.Kind, "Unknown start."),
        };
    }

    public async IAsyncEnumerable<IReadOnlyList<StoredEvent>> PagesAsync(string streamName, string consumerGroup, long nextOffset, int pageSize,
        TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = notifier.StreamChanged(streamName); // taken before the read, so no append is missed
            var page = await reader.ReadStreamAsync(streamName, nextOffset, pageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                await WaitAsync(changed, pollInterval, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (page[0].Position > nextOffset)
            {
                Log.SkippedDeletedEvents(logger, streamName, consumerGroup, nextOffset, page[0].Position, page[0].Position - nextOffset);
            }

            yield return page;
            nextOffset = page[^1].Position + 1;
        }
    }

    /// <summary>Waits for <paramref name="signal"/> or <paramref name="pollInterval"/>, whichever comes first.</summary>
    public static async Task WaitAsync(Task signal, TimeSpan pollInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(pollInterval, time, poll.Token);
        await Task.WhenAny(signal, delay).ConfigureAwait(false);
        await poll.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
