using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Sample.Orders;

namespace Svrnty.CQRS.Events.Sample.Emails;

/// <summary>
/// The hosted queue consumer of <c>emails</c>, where placing an order enqueues its confirmation (in the same batch as the
/// order, <see cref="OrderStreams.PlaceAsync"/>): sends the confirmation to the order's current address (read from the
/// order's stream, so a corrected address is used when a dead letter is requeued), then records it on the order.
/// A failure gives the message back; after <see cref="MaxDeliveryAttempts"/> deliveries the store dead-letters it.
/// </summary>
internal sealed class ConfirmationSender(OrderStreams orders, MailServer mail) : IQueueMessageHandler<SendOrderConfirmation>
{
    public const string Queue = "emails";

    /// <summary>Deliveries before a message is dead-lettered (set on the queue at startup).</summary>
    public const int MaxDeliveryAttempts = 3;

    // A typed handler: a message of another type on the queue is acknowledged without a call.
    public async Task HandleAsync(SendOrderConfirmation request, DequeuedEvent message, CancellationToken cancellationToken)
    {
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
            CorrelationId = request.CorrelationId,
        }, expectedLength: null, cancellationToken);
    }
}
