using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.InMemory.Consumers;

/// <summary>
/// The consumer groups' holders and epochs, shared by every host that shares the storage. One lock guards them; a fenced
/// offset commit (a batch's, or the offset store's) checks the epoch and writes within it (<see cref="Enter"/>,
/// <see cref="ThrowIfStale"/>), so a takeover and a stale commit are never interleaved. Waiting standbys are woken when a holder lets go.
/// </summary>
internal sealed class InMemoryConsumerGroups
{
    private readonly Lock _sync = new();
    private readonly Dictionary<(string Stream, string Group), Holder> _holders = [];
    private readonly Dictionary<(string Stream, string Group), long> _epochs = [];
    private readonly Dictionary<(string Stream, string Group), TaskCompletionSource> _released = [];

    /// <summary>Takes the group with a new epoch, or returns the signal of its release when it is held.</summary>
    public (Holder? Holder, Task Released) TryAcquire((string Stream, string Group) key)
    {
        lock (_sync)
        {
            if (_holders.ContainsKey(key))
            {
                if (!_released.TryGetValue(key, out var released))
                {
                    _released[key] = released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                return (null, released.Task);
            }

            var epoch = _epochs[key] = _epochs.GetValueOrDefault(key) + 1;
            var holder = new Holder(key, epoch);
            _holders[key] = holder;
            return (holder, Task.CompletedTask);
        }
    }

    /// <summary>Lets go of the group if <paramref name="holder"/> still holds it (<paramref name="lost"/>: it is told).</summary>
    public bool Release(Holder holder, bool lost)
    {
        TaskCompletionSource? released;
        lock (_sync)
        {
            if (!_holders.TryGetValue(holder.Key, out var current) || current != holder)
            {
                return false;
            }

            _holders.Remove(holder.Key);
            _released.Remove(holder.Key, out released);
        }

        if (lost)
        {
            holder.Lose();
        }

        released?.TrySetResult();
        return true;
    }

    /// <summary>The group's current holder, if any.</summary>
    public Holder? Find((string Stream, string Group) key)
    {
        lock (_sync)
        {
            return _holders.GetValueOrDefault(key);
        }
    }

    /// <summary>Holds takeovers off while a fenced commit decides and applies (a batch takes it after its stream and
    /// queue locks, never before).</summary>
    public Lock.Scope Enter() => _sync.EnterScope();

    /// <summary>Throws if <paramref name="epoch"/> is not the group's current epoch (call it within <see cref="Enter"/>).</summary>
    public void ThrowIfStale(string streamName, string consumerGroup, long epoch)
    {
        if (_epochs.GetValueOrDefault((streamName, consumerGroup)) != epoch)
        {
            throw new ConsumerGroupFencedException(streamName, consumerGroup, epoch);
        }
    }

    /// <summary>One holding of a group.</summary>
    internal sealed class Holder((string Stream, string Group) key, long epoch)
    {
        private readonly CancellationTokenSource _lost = new();

        public (string Stream, string Group) Key { get; } = key;

        public long Epoch { get; } = epoch;

        public CancellationToken Lost => _lost.Token;

        public void Lose() => _lost.Cancel();
    }
}
