namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// What a transactional handler (<see cref="ITransactionalEventStreamHandler"/>, <see cref="ITransactionalQueueMessageHandler"/>)
/// is given to record its effects: the <see cref="Batch"/> the hosted consumer writes, together with its own progress
/// (the offset commit or the message's acknowledgement), in one transaction when the handler returns. On PostgreSQL it
/// also carries the open connection and transaction for the handler's own SQL (<c>AsPostgres()</c> in
/// <c>Svrnty.CQRS.Events.PostgreSQL</c>).
/// </summary>
/// <remarks>
/// Each handler call gets a new one: a retry starts from an empty batch (and, on PostgreSQL, a new transaction).
/// Nothing is written until the handler has returned; if the handler throws, or the batch fails (a wrong expected length,
/// a lost lease), none of it is written and the consumer's progress does not move.
/// </remarks>
public class ConsumerTransaction
{
    /// <summary>Creates a context around <paramref name="batch"/> (backends create it; tests of a handler may too).</summary>
    /// <param name="batch">The batch the handler fills.</param>
    public ConsumerTransaction(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Batch = batch;
    }

    /// <summary>The handler's effects: appends, enqueues, offset commits and acknowledgements written with the consumer's
    /// progress, all or nothing.</summary>
    public EventBatch Batch { get; }
}
