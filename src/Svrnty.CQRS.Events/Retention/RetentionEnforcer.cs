using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.Retention;

/// <summary>
/// Runs retention once: resolves the policies (code and store), trims each covered stream in batches of
/// <see cref="RetentionOptions.BatchSize"/>, then deletes old dead letters, and logs what it deleted.
/// </summary>
internal sealed class RetentionEnforcer(
    IRetentionBackend backend,
    IRetentionPolicyStore store,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    EventStreamingTelemetry telemetry,
    ILogger<RetentionEnforcer> logger) : IRetentionEnforcer, IDisposable
{
    private const int StreamPageSize = 1_000;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<RetentionResult> EnforceAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<RetentionResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var settings = options.Value;
        var now = time.GetUtcNow();
        var stored = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var policies = RetentionPolicySet.Create(settings.Policies, stored);

        var streams = new List<StreamRetentionResult>();
        foreach (var policy in policies.Exact)
        {
            await TrimAsync(policy.StreamName, policy, now, settings.BatchSize, streams, cancellationToken).ConfigureAwait(false);
        }

        foreach (var pattern in policies.Patterns)
        {
            var prefix = RetentionPolicySet.PrefixOf(pattern);
            string? after = null;
            IReadOnlyList<string> page;
            do
            {
                page = await backend.ListStreamsAsync(prefix, after, StreamPageSize, cancellationToken).ConfigureAwait(false);
                foreach (var streamName in page)
                {
                    // A stream's own policy or a longer pattern takes it; each stream is trimmed under one policy.
                    if (ReferenceEquals(policies.Resolve(streamName), pattern))
                    {
                        await TrimAsync(streamName, pattern, now, settings.BatchSize, streams, cancellationToken).ConfigureAwait(false);
                    }
                }

                after = page.Count > 0 ? page[^1] : null;
            }
            while (page.Count == StreamPageSize);
        }

        var deadLetters = settings.DeadLetterMaxAge is { } maxAge
            ? await DeleteDeadLettersAsync(now, maxAge, settings.BatchSize, cancellationToken).ConfigureAwait(false)
            : [];

        var result = new RetentionResult { Streams = streams, DeadLetters = deadLetters };
        Log.RunFinished(logger, (long)time.GetElapsedTime(started).TotalMilliseconds, result.EventsDeleted, streams.Count, result.DeadLettersDeleted);
        return result;
    }

    private async Task TrimAsync(string streamName, RetentionPolicy policy, DateTimeOffset now, int batchSize,
        List<StreamRetentionResult> results, CancellationToken cancellationToken)
    {
        var olderThan = CutoffOrNull(now, policy.MaxAge);
        if (olderThan is null && policy.MaxEventCount is null)
        {
            return;
        }

        long total = 0;
        int deleted;
        do
        {
            deleted = await backend.TrimStreamAsync(streamName, policy.MaxEventCount, olderThan, batchSize, cancellationToken).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted == batchSize);

        if (total > 0)
        {
            results.Add(new StreamRetentionResult(streamName, policy.StreamName, total));
            Log.StreamTrimmed(logger, total, streamName, policy.StreamName);
            telemetry.DeletedByRetention.Add(total, new KeyValuePair<string, object?>("messaging.destination.name", telemetry.DestinationTag(streamName)));
        }
    }

    private async Task<IReadOnlyList<DeadLetterRetentionResult>> DeleteDeadLettersAsync(DateTimeOffset now, TimeSpan maxAge, int batchSize,
        CancellationToken cancellationToken)
    {
        if (CutoffOrNull(now, maxAge) is not { } olderThan)
        {
            return [];
        }

        var perQueue = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long deleted;
        do
        {
            var batch = await backend.DeleteDeadLettersAsync(olderThan, batchSize, cancellationToken).ConfigureAwait(false);
            deleted = 0;
            foreach (var queue in batch)
            {
                perQueue[queue.QueueName] = perQueue.GetValueOrDefault(queue.QueueName) + queue.DeadLettersDeleted;
                deleted += queue.DeadLettersDeleted;
            }
        }
        while (deleted == batchSize);

        foreach (var (queue, count) in perQueue)
        {
            Log.DeadLettersDeleted(logger, count, queue, maxAge);
        }

        return perQueue.Select(q => new DeadLetterRetentionResult(q.Key, q.Value)).ToArray();
    }

    /// <summary>now - maxAge, or null when no limit is set or nothing can be that old.</summary>
    private static DateTimeOffset? CutoffOrNull(DateTimeOffset now, TimeSpan? maxAge) =>
        maxAge is { } age && age < now - DateTimeOffset.MinValue ? now - age : null;
}
