using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Offsets;

namespace Svrnty.CQRS.Events.InMemory.Offsets;

/// <summary>The in-memory <see cref="IConsumerOffsetStore"/>.</summary>
internal sealed class InMemoryConsumerOffsetStore(InMemoryEventStorage storage, TimeProvider time) : ConsumerOffsetStoreBase
{
    protected override Task SetOffsetCoreAsync(string streamName, string consumerGroup, long nextOffset, bool onlyForward,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        storage.SetOffset(streamName, consumerGroup, nextOffset, onlyForward, InMemoryClock.Now(time));
        return Task.CompletedTask;
    }

    protected override Task CommitFencedCoreAsync(string streamName, string consumerGroup, long nextOffset, long epoch,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using (storage.ConsumerGroups.Enter())
        {
            storage.ConsumerGroups.ThrowIfStale(streamName, consumerGroup, epoch);
            storage.SetOffset(streamName, consumerGroup, nextOffset, onlyForward: true, InMemoryClock.Now(time));
        }

        return Task.CompletedTask;
    }

    protected override Task<long?> GetOffsetCoreAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(storage.Offsets.TryGetValue((streamName, consumerGroup), out var offset) ? offset.NextOffset : (long?)null);
    }

    protected override Task<IReadOnlyList<ConsumerOffset>> GetOffsetsCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ConsumerOffset> offsets = storage.Offsets.Values
            .Where(o => o.StreamName == streamName)
            .OrderBy(o => o.ConsumerGroup, StringComparer.Ordinal)
            .ToArray();
        return Task.FromResult(offsets);
    }
}
