using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>The <see cref="IConsumerLagMonitor"/> of every backend: two O(1)-ish reads.</summary>
internal sealed class ConsumerLagMonitor(IEventStreamReader reader, IConsumerOffsetStore offsets) : IConsumerLagMonitor
{
    public async Task<IReadOnlyList<ConsumerLag>> GetLagAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        var groups = await offsets.GetOffsetsAsync(streamName, cancellationToken).ConfigureAwait(false);
        var length = await reader.GetStreamLengthAsync(streamName, cancellationToken).ConfigureAwait(false);
        return groups.Select(g => new ConsumerLag
        {
            StreamName = streamName,
            ConsumerGroup = g.ConsumerGroup,
            NextOffset = g.NextOffset,
            StreamLength = length,
            UpdatedAt = g.UpdatedAt,
        }).ToArray();
    }
}
