using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Sample.Orders;

namespace Svrnty.CQRS.Events.Sample.Emails;

/// <summary>
/// A hosted stream consumer of the category log <c>$ce-order</c> (group <c>order-emails</c>): asks for a confirmation
/// email for every placed order by enqueuing a message on the <c>emails</c> queue. The message id is derived from the order's,
/// so handling the same event twice (at-least-once) enqueues it once while it is pending, and the sender skips an
/// order already confirmed.
/// </summary>
internal sealed class ConfirmationRequester(IEventQueue queue) : IEventStreamHandler
{
    public const string ConsumerGroup = "order-emails";

    public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken) =>
        storedEvent.Event is OrderPlaced placed
            ? queue.EnqueueAsync(ConfirmationSender.Queue, new SendOrderConfirmation(placed.OrderId)
            {
                EventId = $"confirmation-{placed.OrderId}",
                CorrelationId = placed.CorrelationId,
            }, cancellationToken)
            : Task.CompletedTask;
}

/// <summary>
/// The hosted queue consumer of <c>emails</c>: sends the confirmation to the order's current address (read from the
/// order's stream, so a corrected address is used when a dead letter is requeued), then records it on the order.
/// A failure gives the message back; after <see cref="MaxDeliveryAttempts"/> deliveries the store dead-letters it.
/// </summary>
internal sealed class ConfirmationSender(OrderStreams orders, MailServer mail) : IQueueMessageHandler
{
    public const string Queue = "emails";

    /// <summary>Deliveries before a message is dead-lettered (set on the queue at startup).</summary>
    public const int MaxDeliveryAttempts = 3;

    public async Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken)
    {
        if (message.Event is not SendOrderConfirmation request)
        {
            return; // not ours: acknowledged and dropped
        }

        var order = await orders.LoadAsync(request.OrderId, cancellationToken)
                    ?? throw new InvalidOperationException($"Order {request.OrderId} does not exist.");
        if (order.ConfirmationSent)
        {
            return; // sent before the acknowledgement was lost: do not send twice
        }

        mail.Send(order.Email, $"Order {order.OrderId} confirmed", message.DeliveryCount);
        await orders.AppendAsync(order.OrderId, new OrderConfirmationSent(order.OrderId, order.Email, message.DeliveryCount)
        {
            EventId = $"sent-{message.EventId}", // a retry after a lost reply appends nothing
            CorrelationId = message.Event.CorrelationId,
        }, expectedLength: null, cancellationToken);
    }
}
