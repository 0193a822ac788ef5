using Grpc.Core;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;
using Wire = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Service;

internal sealed partial class EventStreamingService
{
    /// <summary>
    /// <c>WriteBatch</c>: the request's operations as one <see cref="EventBatch"/>, written by
    /// <see cref="IEventBatchWriter.WriteAsync"/> (all or nothing). Every field is checked under its wire name
    /// (<c>operations[2].append.events[0].json</c>) before the store is called; a wrong expected length becomes
    /// <c>ABORTED</c> and a lost lease <c>FAILED_PRECONDITION</c> in the <see cref="Errors.ErrorMappingInterceptor"/>.
    /// </summary>
    public override async Task<Wire.WriteBatchResponse> WriteBatch(Wire.WriteBatchRequest request, ServerCallContext context)
    {
        var operations = request.Operations;
        if (operations.Count == 0)
        {
            throw new ArgumentException("The batch is empty: add at least one operation.", "operations");
        }

        // Counted before any event is parsed, so an oversized batch costs nothing.
        var eventCount = operations.Sum(o => (long)(o.OperationCase switch
        {
            Wire.BatchOperation.OperationOneofCase.Append => o.Append.Events.Count,
            Wire.BatchOperation.OperationOneofCase.Enqueue => 1,
            _ => 0,
        }));
        if (eventCount > EventBatch.MaxEvents)
        {
            throw new ArgumentException(
                $"A batch may append and enqueue at most {EventBatch.MaxEvents} events together; this one has {eventCount}.", "operations");
        }

        var batch = new EventBatch();
        for (var i = 0; i < operations.Count; i++)
        {
            Add(batch, operations[i], $"operations[{i}]");
        }

        var result = await store.WriteAsync(batch, context.CancellationToken).ConfigureAwait(false);
        var response = new Wire.WriteBatchResponse();
        response.Offsets.AddRange(result.Offsets);
        return response;
    }

    private void Add(EventBatch batch, Wire.BatchOperation operation, string field)
    {
        switch (operation.OperationCase)
        {
            case Wire.BatchOperation.OperationOneofCase.Append:
                AddAppend(batch, operation.Append, $"{field}.append");
                break;
            case Wire.BatchOperation.OperationOneofCase.Enqueue:
                var enqueue = operation.Enqueue;
                Argument.WritableName(enqueue.QueueName, $"{field}.enqueue.queue_name");
                batch.Enqueue(enqueue.QueueName, _events.ToStoreEvent(enqueue.Event, $"{field}.enqueue.event"));
                break;
            case Wire.BatchOperation.OperationOneofCase.CommitOffset:
                var commit = operation.CommitOffset;
                Argument.ReadableName(commit.StreamName, $"{field}.commit_offset.stream_name");
                Argument.Name(commit.ConsumerGroup, $"{field}.commit_offset.consumer_group");
                Argument.NotNegative(commit.NextOffset, $"{field}.commit_offset.next_offset");
                batch.CommitOffset(commit.StreamName, commit.ConsumerGroup, commit.NextOffset);
                break;
            case Wire.BatchOperation.OperationOneofCase.Acknowledge:
                var ack = operation.Acknowledge;
                Argument.WritableName(ack.QueueName, $"{field}.acknowledge.queue_name");
                Argument.Name(ack.EventId, $"{field}.acknowledge.event_id");
                Argument.Name(ack.ConsumerId, $"{field}.acknowledge.consumer_id");
                batch.Acknowledge(ack.QueueName, ack.EventId, ack.ConsumerId);
                break;
            default:
                throw new ArgumentException("An operation must set one of append, enqueue, commit_offset or acknowledge.", field);
        }
    }

    private void AddAppend(EventBatch batch, Wire.BatchAppend append, string field)
    {
        Argument.WritableName(append.StreamName, $"{field}.stream_name");
        var events = ToStoreEvents(append.Events, $"{field}.events");
        long? expectedLength = append.HasExpectedLength ? Argument.NotNegative(append.ExpectedLength, $"{field}.expected_length") : null;
        batch.Append(append.StreamName, events, expectedLength);
    }

    /// <summary>The events of an append (<c>AppendBatch</c>, or an append in a batch) as the store takes them: at least
    /// one, each checked under its field (<c>events[3]</c>), with distinct ids.</summary>
    /// <param name="wire">The request's events.</param>
    /// <param name="field">The request field holding them, e.g. <c>events</c>.</param>
    private ICorrelatedEvent[] ToStoreEvents(IReadOnlyList<Wire.Event> wire, string field)
    {
        if (wire.Count == 0)
        {
            throw new ArgumentException("An append must hold at least one event.", field);
        }

        var events = new ICorrelatedEvent[wire.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = _events.ToStoreEvent(wire[i], $"{field}[{i}]");
        }

        Argument.Events(events, field);
        return events;
    }
}
