namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Handles the messages of a queue for a hosted queue consumer (<c>AddQueueConsumer</c>).</summary>
/// <remarks>
/// The message is acknowledged when the handler returns, and negatively acknowledged (redelivered, then
/// dead-lettered after <see cref="StreamConfiguration.MaxDeliveryAttempts"/>) when it throws. Delivery is at least
/// once: make the handler idempotent, keyed by <see cref="DequeuedEvent.EventId"/>.
/// </remarks>
public interface IQueueMessageHandler
{
    /// <summary>Handles one message while the consumer holds its lease (extended while the handler runs).</summary>
    /// <param name="message">The leased message.</param>
    /// <param name="cancellationToken">Signalled when the consumer stops or loses the lease.</param>
    /// <returns>A task that completes when the message is handled.</returns>
    Task HandleAsync(DequeuedEvent message, CancellationToken cancellationToken);
}
