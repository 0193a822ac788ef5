using Npgsql;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>
/// On PostgreSQL, what a transactional handler is given: the <see cref="ConsumerTransaction.Batch"/>, and the open
/// <see cref="Connection"/> and <see cref="Transaction"/> the hosted consumer commits it in, with its offset or
/// acknowledgement. The handler's own SQL on them commits or rolls back with the batch. Get it with
/// <see cref="PostgresConsumerTransactionExtensions.AsPostgres"/>.
/// </summary>
/// <remarks>
/// The consumer owns the transaction: never commit, roll back or dispose it, nor close the connection. The connection
/// comes from the backend's pool and goes back to it without a reset: leave no session state behind (use
/// <c>SET LOCAL</c>, not <c>SET</c>).
/// </remarks>
public sealed class PostgresConsumerTransaction : ConsumerTransaction
{
    internal PostgresConsumerTransaction(EventBatch batch, NpgsqlTransaction transaction)
        : base(batch)
    {
        Transaction = transaction;
        Connection = transaction.Connection ?? throw new ArgumentException("The transaction is completed.", nameof(transaction));
    }

    /// <summary>The open connection, to the event-streaming database.</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>The open transaction; pass it to each command (Dapper: the <c>transaction</c> argument).</summary>
    public NpgsqlTransaction Transaction { get; }
}

/// <summary>Reaches the PostgreSQL side of a <see cref="ConsumerTransaction"/>.</summary>
public static class PostgresConsumerTransactionExtensions
{
    /// <summary>The connection and transaction of a transactional handler's call on the PostgreSQL backend.</summary>
    /// <param name="transaction">The context the handler was given.</param>
    /// <returns>The same context, typed for PostgreSQL.</returns>
    /// <exception cref="InvalidOperationException">The consumer does not run on the PostgreSQL backend.</exception>
    public static PostgresConsumerTransaction AsPostgres(this ConsumerTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return transaction as PostgresConsumerTransaction ?? throw new InvalidOperationException(
            "This consumer transaction is not a PostgreSQL one: register the backend with AddPostgresEventStreaming.");
    }
}
