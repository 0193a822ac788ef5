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
        var now = InMemoryClock.Now(time);
        storage.Offsets.AddOrUpdate(
            (streamName, consumerGroup),
            static (key, arg) => new ConsumerOffset { StreamName = key.Stream, ConsumerGroup = key.Group, NextOffset = arg.nextOffset, UpdatedAt = arg.now },
            static (_, current, arg) => arg.onlyForward && arg.nextOffset <= current.NextOffset
                ? current
                : current with { NextOffset = arg.nextOffset, UpdatedAt = arg.now },
            (nextOffset, onlyForward, now));
        return Task.CompletedTask;
    }

    protected override Task CommitFencedCoreAsync(string streamName, string consumerGroup, long nextOffset, long epoch,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        storage.ConsumerGroups.Fenced(streamName, consumerGroup, epoch,
            () => SetOffsetCoreAsync(streamName, consumerGroup, nextOffset, onlyForward: true, CancellationToken.None));
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
