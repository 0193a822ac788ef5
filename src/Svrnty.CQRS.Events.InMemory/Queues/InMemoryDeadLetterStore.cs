using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Queues;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.InMemory.Queues;

/// <summary>The in-memory <see cref="IDeadLetterStore"/>.</summary>
internal sealed class InMemoryDeadLetterStore(InMemoryEventStorage storage, EventSerializer serializer, TimeProvider time)
    : DeadLetterStoreBase
{
    protected override Task<IReadOnlyList<DeadLetter>> ReadCoreAsync(string streamName, int maxCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult<IReadOnlyList<DeadLetter>>([]);
        }

        InMemoryQueue.DeadMessage[] dead;
        lock (queue.Sync)
        {
            dead = queue.DeadLetters.Take(maxCount).ToArray();
        }

        return Task.FromResult<IReadOnlyList<DeadLetter>>(dead.Select(d => new DeadLetter
        {
            StreamName = streamName,
            EventId = d.Payload.EventId,
            Event = serializer.Deserialize(d.Payload.EventType, d.Payload.Json, d.Payload.EventId, d.Payload.CorrelationId, d.Payload.OccurredAt),
            EventType = d.Payload.EventType,
            Json = d.Payload.Json,
            DeliveryCount = d.DeliveryCount,
            Reason = d.Reason,
            DeadLetteredAt = d.DeadLetteredAt,
        }).ToArray());
    }

    protected override Task<long> CountCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult(0L);
        }

        lock (queue.Sync)
        {
            return Task.FromResult((long)queue.DeadLetters.Count);
        }
    }

    protected override Task<bool> RequeueCoreAsync(string streamName, string eventId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult(false);
        }

        lock (queue.Sync)
        {
            if (queue.TakeDeadLetter(eventId) is not { } dead)
            {
                return Task.FromResult(false);
            }

            queue.TryAdd(dead.Payload, InMemoryClock.Now(time));
        }

        storage.Signals.Notify(ChangeSignals.QueueKey(streamName));
        return Task.FromResult(true);
    }

    protected override Task<long> PurgeCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult(0L);
        }

        lock (queue.Sync)
        {
            return Task.FromResult((long)queue.PurgeDeadLetters());
        }
    }
}
