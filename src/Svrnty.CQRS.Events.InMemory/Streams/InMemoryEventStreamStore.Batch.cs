using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Batches;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.InMemory.Queues;

namespace Svrnty.CQRS.Events.InMemory.Streams;

/// <summary>
/// Batches: every stream and queue the batch touches is locked, streams then queues, each in ordinal name order (so two
/// batches never deadlock), the whole batch is decided before anything changes (a wrong expected length or a lost
/// lease throws with nothing written), then applied. Readers take the same locks, so they see all of a batch or none;
/// its log entries are added under one hold of the logs' lock.
/// </summary>
internal sealed partial class InMemoryEventStreamStore
{
    protected override Task<EventBatchResult> WriteCoreAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var operations = batch.Operations;

        // Serialize before taking any lock: a payload that cannot be serialized fails with nothing written.
        var json = new Dictionary<ICorrelatedEvent, (string EventType, string Json)>(ReferenceEqualityComparer.Instance);
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case AppendOperation append:
                    foreach (var e in append.Events)
                    {
                        var data = serializer.Serialize(e, "events");
                        json[e] = (data.EventType, data.Json);
                    }

                    break;
                case EnqueueOperation enqueue:
                    var message = serializer.Serialize(enqueue.Event, "event");
                    json[enqueue.Event] = (message.EventType, message.Json);
                    break;
            }
        }

        var appends = operations.OfType<AppendOperation>().ToArray();
        var streams = appends.Select(a => a.StreamName).Distinct().Order(StringComparer.Ordinal)
            .ToDictionary(name => name, storage.GetOrAddStream, StringComparer.Ordinal);
        var queues = operations.Select(o => o switch
            {
                EnqueueOperation e => e.QueueName,
                AcknowledgeOperation a => a.QueueName,
                _ => null,
            }).OfType<string>().Distinct().Order(StringComparer.Ordinal)
            .ToDictionary(name => name, storage.GetOrAddQueue, StringComparer.Ordinal);
        var locks = streams.Values.Select(s => s.Sync).Concat(queues.Values.Select(q => q.Sync)).ToArray();
        var held = 0;
        try
        {
            for (; held < locks.Length; held++)
            {
                locks[held].Enter();
            }

            var plan = BatchAppendPlan.Plan(appends, name => streams[name].Length,
                (name, eventId) => streams[name].TryGetOffset(eventId, out var offset) ? offset : null);
            foreach (var ack in operations.OfType<AcknowledgeOperation>())
            {
                if (queues[ack.QueueName].Find(ack.EventId) is not { } message || message.Holder != ack.ConsumerId)
                {
                    throw new QueueLeaseLostException(ack.QueueName, ack.EventId, ack.ConsumerId);
                }
            }

            // A hosted consumer's commit is fenced by its epoch: takeovers wait until the batch is applied.
            var fenced = operations.OfType<CommitOffsetOperation>().Where(c => c.Epoch is not null).ToArray();
            if (fenced.Length == 0)
            {
                Apply(operations, plan, streams, queues, json);
            }
            else
            {
                using (storage.ConsumerGroups.Enter())
                {
                    foreach (var commit in fenced)
                    {
                        storage.ConsumerGroups.ThrowIfStale(commit.StreamName, commit.ConsumerGroup, commit.Epoch!.Value);
                    }

                    Apply(operations, plan, streams, queues, json);
                }
            }

            NotifyAfterBatch(plan, operations);
            return Task.FromResult(new EventBatchResult(plan.Select(p => p.LastOffset).ToArray()));
        }
        finally
        {
            while (held > 0)
            {
                locks[--held].Exit();
            }
        }
    }

    private void Apply(IReadOnlyList<EventBatchOperation> operations, IReadOnlyList<PlannedAppend> plan,
        Dictionary<string, InMemoryStream> streams, Dictionary<string, InMemoryQueue> queues,
        Dictionary<ICorrelatedEvent, (string EventType, string Json)> json)
    {
        var now = InMemoryClock.Now(time);
        var traceParent = TraceContext.Current;
        var next = 0;
        lock (storage.Logs.Sync)
        {
            foreach (var operation in operations)
            {
                switch (operation)
                {
                    case AppendOperation:
                        var planned = plan[next++];
                        if (planned.Fresh.Count > 0)
                        {
                            AddEvents(streams[planned.Operation.StreamName], planned.Fresh.Select(e => (e, json[e].EventType, json[e].Json)).ToArray(),
                                now, traceParent);
                        }

                        break;
                    case EnqueueOperation enqueue:
                        var (messageType, messageJson) = json[enqueue.Event];
                        queues[enqueue.QueueName].TryAdd(new InMemoryQueue.Payload(enqueue.Event.EventId, messageType, enqueue.Event.CorrelationId,
                            messageJson, enqueue.Event.OccurredAt, traceParent), now);
                        break;
                    case CommitOffsetOperation commit:
                        storage.SetOffset(commit.StreamName, commit.ConsumerGroup, commit.NextOffset, onlyForward: true, now);
                        break;
                    case AcknowledgeOperation ack:
                        var queue = queues[ack.QueueName];
                        queue.Remove(queue.Find(ack.EventId)!);
                        break;
                }
            }
        }
    }

    private void NotifyAfterBatch(IReadOnlyList<PlannedAppend> plan, IReadOnlyList<EventBatchOperation> operations)
    {
        foreach (var stream in plan.Where(p => p.Fresh.Count > 0).Select(p => p.Operation.StreamName).Distinct(StringComparer.Ordinal))
        {
            storage.Signals.NotifyAppended(stream);
        }

        // One wake-up per message: each wakes one idle worker of its queue.
        foreach (var enqueue in operations.OfType<EnqueueOperation>())
        {
            storage.Signals.Notify(ChangeSignals.QueueKey(enqueue.QueueName));
        }
    }
}
