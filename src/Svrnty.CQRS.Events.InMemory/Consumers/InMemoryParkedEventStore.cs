using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.InMemory.Consumers;

/// <summary>The in-memory <see cref="IParkedEventStore"/>.</summary>
internal sealed class InMemoryParkedEventStore(InMemoryEventStorage storage) : ParkedEventStoreBase
{
    protected override Task ParkCoreAsync(ParkedEvent parkedEvent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        storage.ParkedEvents[(parkedEvent.StreamName, parkedEvent.ConsumerGroup, parkedEvent.Offset)] = parkedEvent;
        return Task.CompletedTask;
    }

    protected override Task<IReadOnlyList<ParkedEvent>> ReadCoreAsync(string streamName, string consumerGroup, int maxCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ParkedEvent> parked = storage.ParkedEvents.Values
            .Where(p => p.StreamName == streamName && p.ConsumerGroup == consumerGroup)
            .OrderBy(p => p.Offset)
            .Take(maxCount)
            .ToArray();
        return Task.FromResult(parked);
    }

    protected override Task<bool> DeleteCoreAsync(string streamName, string consumerGroup, long offset, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(storage.ParkedEvents.TryRemove((streamName, consumerGroup, offset), out _));
    }
}
