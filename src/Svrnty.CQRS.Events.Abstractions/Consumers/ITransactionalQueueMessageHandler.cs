namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// Handles the messages of a queue for a hosted queue consumer with exactly-once effects
/// (<c>AddTransactionalQueueConsumer</c>): what the handler puts in <see cref="ConsumerTransaction.Batch"/> (and, on
/// PostgreSQL, its own SQL on the consumer's transaction) commits together with the message's acknowledgement.
/// </summary>
/// <remarks>
/// The acknowledgement is fenced: if the consumer lost the message's lease (another consumer took it), the write fails
/// with <see cref="QueueLeaseLostException"/> and nothing of the handler's work commits. A message may be handled more
/// than once (a crash before the commit, a failure, an expired lease), but only one call's effects ever commit.
/// </remarks>
public interface ITransactionalQueueMessageHandler
{
    /// <summary>Handles one message by recording its effects in <paramref name="transaction"/>. Throwing rolls them back
    /// and gives the message back for redelivery.</summary>
    /// <param name="message">The leased message.</param>
    /// <param name="transaction">The batch to fill (and on PostgreSQL the open transaction); written after the handler
    /// returns, with the acknowledgement.</param>
    /// <param name="cancellationToken">Signalled when the consumer stops or loses the lease.</param>
    /// <returns>A task that completes when the effects are recorded.</returns>
    Task HandleAsync(DequeuedEvent message, ConsumerTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>
/// Handles the messages of type <typeparamref name="TMessage"/> of a queue with exactly-once effects
/// (<c>AddTransactionalQueueConsumer</c>), as <see cref="ITransactionalQueueMessageHandler"/> does. One class may
/// implement it for several message types; the messages of types it does not handle are acknowledged without a call.
/// </summary>
/// <typeparam name="TMessage">The message type handled (a class, a base record or an interface).</typeparam>
public interface ITransactionalQueueMessageHandler<in TMessage>
    where TMessage : ICorrelatedEvent
{
    /// <summary>Handles one message by recording its effects in <paramref name="transaction"/>. Throwing rolls them back
    /// and gives the message back for redelivery.</summary>
    /// <param name="message">The message.</param>
    /// <param name="delivery">The lease it came with (id, delivery count, consumer; its <see cref="DequeuedEvent.Event"/>
    /// is <paramref name="message"/>).</param>
    /// <param name="transaction">The batch to fill (and on PostgreSQL the open transaction); written after the handler
    /// returns, with the acknowledgement.</param>
    /// <param name="cancellationToken">Signalled when the consumer stops or loses the lease.</param>
    /// <returns>A task that completes when the effects are recorded.</returns>
    Task HandleAsync(TMessage message, DequeuedEvent delivery, ConsumerTransaction transaction, CancellationToken cancellationToken);
}
