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

/// <summary>The one sequence of a transactional handler call, for stream and queue consumers alike.</summary>
internal static class ConsumerTransactions
{
    /// <summary>
    /// Begins a unit of work, calls the handler with it (never with <paramref name="handling"/> already cancelled), adds
    /// the consumer's <paramref name="progress"/> (the offset commit or the acknowledgement) to its batch and commits it.
    /// A throw anywhere rolls everything back.
    /// </summary>
    /// <remarks>The commit is bounded by <paramref name="commit"/> (checked before it too): a lost group lock, the
    /// host's shutdown budget.</remarks>
    public static async Task HandleAsync<TEnvelope>(this IConsumerTransactionFactory factory, HandlerCall<TEnvelope> call, object handler,
        TEnvelope envelope, Action<EventBatch> progress, CancellationToken handling, CancellationToken commit)
    {
        var unit = await factory.BeginAsync(handling).ConfigureAwait(false);
        await using (unit.ConfigureAwait(false))
        {
            handling.ThrowIfCancellationRequested();
            await call(handler, envelope, unit.Transaction, handling).ConfigureAwait(false);
            progress(unit.Transaction.Batch);
            commit.ThrowIfCancellationRequested();
            await unit.CommitAsync(commit).ConfigureAwait(false);
        }
    }
}
