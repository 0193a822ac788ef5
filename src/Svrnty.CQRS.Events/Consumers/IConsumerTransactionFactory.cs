using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Backend service: the unit of work of a transactional handler call. The default writes the batch with
/// <see cref="IEventBatchWriter"/>; PostgreSQL opens a connection and a transaction first, so the handler's own SQL
/// joins it.
/// </summary>
internal interface IConsumerTransactionFactory
{
    /// <summary>Begins a unit of work with an empty batch.</summary>
    Task<IConsumerTransactionScope> BeginAsync(CancellationToken cancellationToken);
}

/// <summary>One handler call's unit of work: disposing it without <see cref="CommitAsync"/> rolls everything back.</summary>
internal interface IConsumerTransactionScope : IAsyncDisposable
{
    /// <summary>What the handler is given.</summary>
    ConsumerTransaction Transaction { get; }

    /// <summary>Writes <see cref="ConsumerTransaction.Batch"/> (all or nothing) and commits.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}

/// <summary>The backend-neutral unit of work: the batch is written by one <see cref="IEventBatchWriter.WriteAsync"/>.</summary>
internal sealed class EventBatchConsumerTransactions(IEventBatchWriter writer) : IConsumerTransactionFactory
{
    public Task<IConsumerTransactionScope> BeginAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IConsumerTransactionScope>(new Scope(writer, new ConsumerTransaction(new EventBatch())));

    private sealed class Scope(IEventBatchWriter writer, ConsumerTransaction transaction) : IConsumerTransactionScope
    {
        public ConsumerTransaction Transaction => transaction;

        public Task CommitAsync(CancellationToken cancellationToken) => writer.WriteAsync(transaction.Batch, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
