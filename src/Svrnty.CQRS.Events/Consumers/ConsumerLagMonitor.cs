using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>The <see cref="IConsumerLagMonitor"/> of every backend: two O(1)-ish reads, and one single-event read per
/// group that is behind, for the age of its oldest unprocessed event.</summary>
internal sealed class ConsumerLagMonitor(IEventStreamReader reader, IConsumerOffsetStore offsets, TimeProvider time) : IConsumerLagMonitor
{
    public async Task<IReadOnlyList<ConsumerLag>> GetLagAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        var groups = await offsets.GetOffsetsAsync(streamName, cancellationToken).ConfigureAwait(false);
        var length = await reader.GetStreamLengthAsync(streamName, cancellationToken).ConfigureAwait(false);
        var lags = new List<ConsumerLag>(groups.Count);
        var oldest = new Dictionary<long, DateTimeOffset?>();
        foreach (var g in groups)
        {
            DateTimeOffset? timestamp = null;
            if (g.NextOffset < length && !oldest.TryGetValue(g.NextOffset, out timestamp))
            {
                var next = await reader.ReadStreamAsync(streamName, g.NextOffset, 1, cancellationToken).ConfigureAwait(false);
                timestamp = oldest[g.NextOffset] = next.Count > 0 ? next[0].Timestamp : null;
            }

            var now = time.GetUtcNow();
            lags.Add(new ConsumerLag
            {
                StreamName = streamName,
                ConsumerGroup = g.ConsumerGroup,
                NextOffset = g.NextOffset,
                StreamLength = length,
                UpdatedAt = g.UpdatedAt,
                OldestUnprocessedTimestamp = timestamp,
                LagAge = timestamp is { } t && now > t ? now - t : TimeSpan.Zero,
            });
        }

        return lags;
    }
}
