using Grpc.Core;
using Svrnty.CQRS.Events.Validation;
using Wire = Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Service;

internal sealed partial class EventStreamingService
{
    private const int DefaultDeadLetterCount = 100;

    public override async Task<Wire.EnqueueResponse> Enqueue(Wire.EnqueueRequest request, ServerCallContext context)
    {
        Argument.WritableName(request.QueueName, "queue_name");
        var @event = _events.ToStoreEvent(request.Event, "event");
        await store.EnqueueAsync(request.QueueName, @event, context.CancellationToken).ConfigureAwait(false);
        return new Wire.EnqueueResponse();
    }

    public override async Task<Wire.DequeueResponse> Dequeue(Wire.DequeueRequest request, ServerCallContext context)
    {
        Argument.WritableName(request.QueueName, "queue_name");
        Argument.Name(request.ConsumerId, "consumer_id");
        var timeout = Argument.VisibilityTimeout(WireEvents.ToTimeSpan(request.VisibilityTimeout, "visibility_timeout"), "visibility_timeout");
        var leased = await store.DequeueAsync(request.QueueName, request.ConsumerId, timeout, context.CancellationToken).ConfigureAwait(false);
        if (leased is null)
        {
            return new Wire.DequeueResponse();
        }

        return new Wire.DequeueResponse
        {
            Message = new Wire.QueueMessage
            {
                QueueName = leased.StreamName,
                Event = WireEvents.ToWire(leased),
                ConsumerId = leased.ConsumerId,
                DeliveryCount = leased.DeliveryCount,
                VisibleUntil = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(leased.VisibleUntil),
            },
        };
    }

    public override async Task<Wire.AcknowledgeResponse> Acknowledge(Wire.AcknowledgeRequest request, ServerCallContext context)
    {
        CheckMessageKey(request.QueueName, request.EventId, request.ConsumerId);
        if (!await store.AcknowledgeAsync(request.QueueName, request.EventId, request.ConsumerId, context.CancellationToken).ConfigureAwait(false))
        {
            throw NotHeld(request.QueueName, request.EventId, request.ConsumerId);
        }

        return new Wire.AcknowledgeResponse();
    }

    public override async Task<Wire.NackResponse> Nack(Wire.NackRequest request, ServerCallContext context)
    {
        CheckMessageKey(request.QueueName, request.EventId, request.ConsumerId);
        if (!await store.NackAsync(request.QueueName, request.EventId, request.ConsumerId, requeue: !request.DeadLetter, context.CancellationToken)
                .ConfigureAwait(false))
        {
            throw NotHeld(request.QueueName, request.EventId, request.ConsumerId);
        }

        return new Wire.NackResponse();
    }

    public override async Task<Wire.GetPendingCountResponse> GetPendingCount(Wire.GetPendingCountRequest request, ServerCallContext context)
    {
        Argument.WritableName(request.QueueName, "queue_name");
        var count = await store.GetPendingCountAsync(request.QueueName, context.CancellationToken).ConfigureAwait(false);
        return new Wire.GetPendingCountResponse { Count = count };
    }

    public override async Task<Wire.ListDeadLettersResponse> ListDeadLetters(Wire.ListDeadLettersRequest request, ServerCallContext context)
    {
        Argument.WritableName(request.QueueName, "queue_name");
        var maxCount = request.MaxCount == 0 ? DefaultDeadLetterCount : Argument.MaxCount(request.MaxCount, "max_count");
        var cancellationToken = context.CancellationToken;
        var letters = await deadLetters.ReadAsync(request.QueueName, maxCount, cancellationToken).ConfigureAwait(false);
        var total = await deadLetters.CountAsync(request.QueueName, cancellationToken).ConfigureAwait(false);
        var response = new Wire.ListDeadLettersResponse { TotalCount = total };
        response.DeadLetters.AddRange(letters.Select(d => new Wire.DeadLetter
        {
            QueueName = d.StreamName,
            Event = WireEvents.ToWire(d),
            DeliveryCount = d.DeliveryCount,
            Reason = d.Reason,
            DeadLetteredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(d.DeadLetteredAt),
        }));
        return response;
    }

    public override async Task<Wire.RequeueDeadLetterResponse> RequeueDeadLetter(Wire.RequeueDeadLetterRequest request, ServerCallContext context)
    {
        Argument.WritableName(request.QueueName, "queue_name");
        Argument.Name(request.EventId, "event_id");
        if (!await deadLetters.RequeueAsync(request.QueueName, request.EventId, context.CancellationToken).ConfigureAwait(false))
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"Queue '{request.QueueName}' has no dead letter with event id '{request.EventId}'."));
        }

        return new Wire.RequeueDeadLetterResponse();
    }

    private static void CheckMessageKey(string queueName, string eventId, string consumerId)
    {
        Argument.WritableName(queueName, "queue_name");
        Argument.Name(eventId, "event_id");
        Argument.Name(consumerId, "consumer_id");
    }

    private static RpcException NotHeld(string queueName, string eventId, string consumerId) =>
        new(new Status(StatusCode.NotFound,
            $"Consumer '{consumerId}' does not hold message '{eventId}' in queue '{queueName}': it was acknowledged or given back, " +
            "or its lease passed and another consumer took it. Nothing changed."));
}
