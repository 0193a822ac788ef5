using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.InMemory.Streams;

internal sealed partial class InMemoryEventStreamStore
{
    protected override Task<QueueStatistics> GetQueueStatisticsCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult(new QueueStatistics { StreamName = streamName, Visible = 0, InFlight = 0, DeadLettered = 0 });
        }

        lock (queue.Sync)
        {
            var (visible, inFlight, oldest) = queue.Statistics(InMemoryClock.Now(time));
            return Task.FromResult(new QueueStatistics
            {
                StreamName = streamName,
                Visible = visible,
                InFlight = inFlight,
                DeadLettered = queue.DeadLetters.Count,
                OldestPendingEnqueuedAt = oldest,
            });
        }
    }
}
