using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.InMemory.Consumers;

/// <summary>One active processor per group among the hosts that share this storage, with an epoch per holder; a standby
/// waits on the holder's release and takes over at once.</summary>
internal sealed class InMemoryConsumerGroupLock(InMemoryEventStorage storage) : IConsumerGroupLock
{
    public Task<IConsumerGroupLease?> TryAcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (holder, _) = storage.ConsumerGroups.TryAcquire((streamName, consumerGroup));
        return Task.FromResult<IConsumerGroupLease?>(holder is null ? null : new Lease(storage.ConsumerGroups, holder));
    }

    public async Task<IConsumerGroupLease> AcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (holder, released) = storage.ConsumerGroups.TryAcquire((streamName, consumerGroup));
            if (holder is not null)
            {
                return new Lease(storage.ConsumerGroups, holder);
            }

            await released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<bool> RevokeAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var groups = storage.ConsumerGroups;
        return Task.FromResult(groups.Find((streamName, consumerGroup)) is { } holder && groups.Release(holder, lost: true));
    }

    private sealed class Lease(InMemoryConsumerGroups groups, InMemoryConsumerGroups.Holder holder) : IConsumerGroupLease
    {
        public long Epoch => holder.Epoch;

        public CancellationToken Lost => holder.Lost;

        public ValueTask DisposeAsync()
        {
            groups.Release(holder, lost: false);
            return ValueTask.CompletedTask;
        }
    }
}
