using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.InMemory.Retention;

/// <summary>The in-memory <see cref="IRetentionBackend"/>: each batch holds one stream's (or queue's) lock for the
/// time it takes to drop at most a batch of entries.</summary>
internal sealed class InMemoryRetentionBackend(InMemoryEventStorage storage) : RetentionBackendBase
{
    protected override Task<IReadOnlyList<string>> ListStreamsCoreAsync(string prefix, string? after, int maxCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<string> names = storage.Streams.Keys
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(n, after) > 0))
            .Order(StringComparer.Ordinal)
            .Take(maxCount)
            .ToArray();
        return Task.FromResult(names);
    }

    protected override Task<int> TrimStreamCoreAsync(string streamName, long? maxEventCount, DateTimeOffset? olderThan, int maxCount,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindStream(streamName) is not { } stream)
        {
            return Task.FromResult(0);
        }

        lock (stream.Sync)
        {
            return Task.FromResult(stream.TrimPrefix(maxEventCount, olderThan, maxCount));
        }
    }

    protected override Task<IReadOnlyList<DeadLetterRetentionResult>> DeleteDeadLettersCoreAsync(DateTimeOffset olderThan, int maxCount,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var results = new List<DeadLetterRetentionResult>();
        var budget = maxCount;
        foreach (var queue in storage.Queues.Values.OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            int deleted;
            lock (queue.Sync)
            {
                deleted = queue.DeleteDeadLettersBefore(olderThan, budget);
            }

            if (deleted > 0)
            {
                results.Add(new DeadLetterRetentionResult(queue.Name, deleted));
                budget -= deleted;
                if (budget == 0)
                {
                    break;
                }
            }
        }

        return Task.FromResult<IReadOnlyList<DeadLetterRetentionResult>>(results);
    }
}
