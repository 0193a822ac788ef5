using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.InMemory.Consumers;

/// <summary>One active processor per group among the hosts that share this storage.</summary>
internal sealed class InMemoryConsumerGroupLock(InMemoryEventStorage storage) : IConsumerGroupLock
{
    public Task<IConsumerGroupLease?> TryAcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = (streamName, consumerGroup);
        var owner = new object();
        return Task.FromResult<IConsumerGroupLease?>(storage.ConsumerGroupLocks.TryAdd(key, owner) ? new Lease(storage, key, owner) : null);
    }

    private sealed class Lease(InMemoryEventStorage storage, (string, string) key, object owner) : IConsumerGroupLease
    {
        public CancellationToken Lost => CancellationToken.None; // an in-process lock cannot be lost

        public ValueTask DisposeAsync()
        {
            storage.ConsumerGroupLocks.TryRemove(new KeyValuePair<(string, string), object>(key, owner));
            return ValueTask.CompletedTask;
        }
    }
}
