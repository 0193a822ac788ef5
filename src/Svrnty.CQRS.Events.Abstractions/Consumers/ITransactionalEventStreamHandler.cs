namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// Handles the events of a stream for a hosted stream consumer with exactly-once effects
/// (<c>AddTransactionalEventStreamConsumer</c>): what the handler puts in <see cref="ConsumerTransaction.Batch"/> (and,
/// on PostgreSQL, its own SQL on the consumer's transaction) commits together with the group's offset, one event at a
/// time.
/// </summary>
/// <remarks>
/// The handler may still be called more than once for an event (a crash before the commit, a retry, a lost group lock),
/// but only one call's effects ever commit, with the offset that moves past the event. Effects outside the transaction
/// (an HTTP call, an e-mail) are not covered: they stay at least once.
/// </remarks>
public interface ITransactionalEventStreamHandler
{
    /// <summary>Handles one event by recording its effects in <paramref name="transaction"/>. Throwing rolls them back
    /// and makes the consumer retry the event, then park it or stop, as configured.</summary>
    /// <param name="storedEvent">The event and its position.</param>
    /// <param name="transaction">The batch to fill (and on PostgreSQL the open transaction); written after the handler
    /// returns, with the offset commit.</param>
    /// <param name="cancellationToken">Signalled when the consumer stops or loses its group lock.</param>
    /// <returns>A task that completes when the effects are recorded.</returns>
    Task HandleAsync(StoredEvent storedEvent, ConsumerTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>
/// Handles the events of type <typeparamref name="TEvent"/> of a stream with exactly-once effects
/// (<c>AddTransactionalEventStreamConsumer</c>), as <see cref="ITransactionalEventStreamHandler"/> does. One class may
/// implement it for several event types; the events of types it does not handle are passed without a call (the offset
/// moves past them with the next commit).
/// </summary>
/// <typeparam name="TEvent">The event type handled (a class, a base record or an interface).</typeparam>
public interface ITransactionalEventStreamHandler<in TEvent>
    where TEvent : ICorrelatedEvent
{
    /// <summary>Handles one event by recording its effects in <paramref name="transaction"/>. Throwing rolls them back
    /// and makes the consumer retry the event, then park it or stop, as configured.</summary>
    /// <param name="event">The event.</param>
    /// <param name="storedEvent">Where it is (stream, offset, position, id; its <see cref="StoredEvent.Event"/> is
    /// <paramref name="event"/>).</param>
    /// <param name="transaction">The batch to fill (and on PostgreSQL the open transaction); written after the handler
    /// returns, with the offset commit.</param>
    /// <param name="cancellationToken">Signalled when the consumer stops or loses its group lock.</param>
    /// <returns>A task that completes when the effects are recorded.</returns>
    Task HandleAsync(TEvent @event, StoredEvent storedEvent, ConsumerTransaction transaction, CancellationToken cancellationToken);
}
