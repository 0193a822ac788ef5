using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Execution;

namespace Svrnty.CQRS.Events.PostgreSQL.Consumers;

/// <summary>
/// A transactional handler's unit of work on PostgreSQL: a pooled connection and a transaction opened before the handler
/// runs (its own SQL joins it), then the batch written in it with <see cref="IPostgresEventBatchWriter"/>, then the
/// commit. Disposed without a commit, the transaction rolls back.
/// </summary>
internal sealed class PostgresConsumerTransactions(PostgresExecutor executor, IPostgresEventBatchWriter writer) : IConsumerTransactionFactory
{
    public async Task<IConsumerTransactionScope> BeginAsync(CancellationToken cancellationToken)
    {
        await executor.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var connection = await executor.Database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            return new Scope(writer, connection, new PostgresConsumerTransaction(new EventBatch(), transaction));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Scope(IPostgresEventBatchWriter writer, NpgsqlConnection connection, PostgresConsumerTransaction transaction)
        : IConsumerTransactionScope
    {
        public ConsumerTransaction Transaction => transaction;

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            await writer.WriteAsync(transaction.Batch, transaction.Transaction, cancellationToken).ConfigureAwait(false);
            await transaction.Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.Transaction.DisposeAsync().ConfigureAwait(false); // rolls back unless committed
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
