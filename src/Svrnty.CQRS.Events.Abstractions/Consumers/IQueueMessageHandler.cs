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

/// <summary>
/// Handles the messages of type <typeparamref name="TMessage"/> of a queue for a hosted queue consumer
/// (<c>AddQueueConsumer</c>). One class may implement it for several message types; the consumer calls the
/// implementation for the message's type (or the most specific base type or interface it handles) and acknowledges the
/// messages of types the class does not handle without calling it.
/// </summary>
/// <remarks>As for <see cref="IQueueMessageHandler"/>: acknowledged when the handler returns, given back for redelivery
/// when it throws; at least once.</remarks>
/// <typeparam name="TMessage">The message type handled (a class, a base record or an interface).</typeparam>
public interface IQueueMessageHandler<in TMessage>
    where TMessage : ICorrelatedEvent
{
    /// <summary>Handles one message while the consumer holds its lease (extended while the handler runs).</summary>
    /// <param name="message">The message.</param>
    /// <param name="delivery">The lease it came with: <see cref="DequeuedEvent.EventId"/>,
    /// <see cref="DequeuedEvent.DeliveryCount"/>, <see cref="DequeuedEvent.ConsumerId"/> and the rest (its
    /// <see cref="DequeuedEvent.Event"/> is <paramref name="message"/>).</param>
    /// <param name="cancellationToken">Signalled when the consumer stops or loses the lease.</param>
    /// <returns>A task that completes when the message is handled.</returns>
    Task HandleAsync(TMessage message, DequeuedEvent delivery, CancellationToken cancellationToken);
}
