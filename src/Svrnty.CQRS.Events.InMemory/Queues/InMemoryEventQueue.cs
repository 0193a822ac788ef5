using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Queues;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.InMemory.Queues;

/// <summary>
/// The in-memory queue store. Each queue has its own lock (<see cref="InMemoryQueue.Sync"/>), so operations on
/// different queues never contend; messages are stored serialized, as the PostgreSQL backend stores them.
/// </summary>
internal sealed class InMemoryEventQueue(InMemoryEventStorage storage, EventSerializer serializer, TimeProvider time, EventStreamingTelemetry telemetry)
    : EventQueueBase(telemetry)
{
    protected override string SystemName => "inmemory";

    protected override Task EnqueueCoreAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var data = serializer.Serialize(@event);
        var payload = new InMemoryQueue.Payload(@event.EventId, data.EventType, @event.CorrelationId, data.Json, @event.OccurredAt, TraceContext.Current);
        var queue = storage.GetOrAddQueue(streamName);
        bool added;
        lock (queue.Sync)
        {
            added = queue.TryAdd(payload, InMemoryClock.Now(time));
        }

        if (added)
        {
            storage.Signals.Notify(ChangeSignals.QueueKey(streamName));
        }

        return Task.CompletedTask;
    }

    protected override Task<DequeuedEvent?> DequeueCoreAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult<DequeuedEvent?>(null);
        }

        var maxAttempts = storage.MaxDeliveryAttempts(streamName);
        InMemoryQueue.Payload payload;
        DequeuedEvent leased;
        lock (queue.Sync)
        {
            var now = InMemoryClock.Now(time);
            InMemoryQueue.Message? message;
            while ((message = queue.FirstVisible(now)) is not null && message.DeliveryCount >= maxAttempts)
            {
                queue.DeadLetter(message, DeadLetterReasons.MaxDeliveryAttemptsExceeded(message.DeliveryCount), now);
            }

            if (message is null)
            {
                return Task.FromResult<DequeuedEvent?>(null);
            }

            message.DeliveryCount++;
            message.Holder = consumerId;
            message.VisibleAt = now + visibilityTimeout;
            payload = message.Payload;
            leased = new DequeuedEvent
            {
                StreamName = streamName,
                EventId = payload.EventId,
                Event = null!,
                EventType = payload.EventType,
                Json = payload.Json,
                ConsumerId = consumerId,
                DeliveryCount = message.DeliveryCount,
                VisibleUntil = message.VisibleAt,
                TraceParent = payload.TraceParent,
            };
        }

        return Task.FromResult<DequeuedEvent?>(leased with { Event = Deserialize(payload) });
    }

    protected override Task<bool> AcknowledgeCoreAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult(false);
        }

        lock (queue.Sync)
        {
            if (queue.Find(eventId) is not { } message || message.Holder != consumerId)
            {
                return Task.FromResult(false);
            }

            queue.Remove(message);
            return Task.FromResult(true);
        }
    }

    protected override Task<bool> NackCoreAsync(string streamName, string eventId, string consumerId, bool requeue,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult(false);
        }

        var maxAttempts = storage.MaxDeliveryAttempts(streamName);
        lock (queue.Sync)
        {
            if (queue.Find(eventId) is not { } message || message.Holder != consumerId)
            {
                return Task.FromResult(false);
            }

            var now = InMemoryClock.Now(time);
            if (!requeue)
            {
                queue.DeadLetter(message, DeadLetterReasons.Rejected(consumerId), now);
            }
            else if (message.DeliveryCount >= maxAttempts)
            {
                queue.DeadLetter(message, DeadLetterReasons.MaxDeliveryAttemptsExceeded(message.DeliveryCount), now);
            }
            else
            {
                message.Holder = null;
                message.VisibleAt = now;
                storage.Signals.Notify(ChangeSignals.QueueKey(streamName));
            }

            return Task.FromResult(true);
        }
    }

    protected override Task<DateTimeOffset?> ExtendLeaseCoreAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult<DateTimeOffset?>(null);
        }

        lock (queue.Sync)
        {
            if (queue.Find(eventId) is not { } message || message.Holder != consumerId)
            {
                return Task.FromResult<DateTimeOffset?>(null);
            }

            message.VisibleAt = InMemoryClock.Now(time) + visibilityTimeout;
            return Task.FromResult<DateTimeOffset?>(message.VisibleAt);
        }
    }

    protected override Task<long> GetPendingCountCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult(0L);
        }

        lock (queue.Sync)
        {
            return Task.FromResult((long)queue.PendingCount);
        }
    }

    protected override Task<QueueStatistics> GetQueueStatisticsCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (storage.FindQueue(streamName) is not { } queue)
        {
            return Task.FromResult(new QueueStatistics { StreamName = streamName, Visible = 0, InFlight = 0, DeadLettered = 0 });
        }

        lock (queue.Sync)
        {
            var (visible, inFlight, oldest) = queue.Statistics(InMemoryClock.Now(time));
            return Task.FromResult(new QueueStatistics
            {
                StreamName = streamName,
                Visible = visible,
                InFlight = inFlight,
                DeadLettered = queue.DeadLetters.Count,
                OldestPendingEnqueuedAt = oldest,
            });
        }
    }

    private ICorrelatedEvent Deserialize(InMemoryQueue.Payload payload) =>
        serializer.Deserialize(payload.EventType, payload.Json, payload.EventId, payload.CorrelationId, payload.OccurredAt);
}
