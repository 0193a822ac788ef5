using Npgsql;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>
/// Writes an <see cref="EventBatch"/> inside the application's own PostgreSQL transaction (the outbox pattern): the
/// application's rows and the batch's events, messages, offsets and acknowledgements commit or roll back together.
/// Registered by <c>AddPostgresEventStreaming</c>.
/// </summary>
/// <remarks>
/// The batch runs in one round trip on the transaction's connection, inside a savepoint: a wrong expected length
/// (<see cref="StreamConcurrencyException"/>), a lost lease (<see cref="QueueLeaseLostException"/>) or another error rolls
/// the batch back to the savepoint and leaves the caller's transaction usable. Nothing is visible to others until the
/// caller commits, and the streams the batch appended to stay locked until then (other appenders to them wait):
/// keep such transactions short. Transient errors are not retried here: the transaction is the caller's.
/// </remarks>
public interface IPostgresEventBatchWriter
{
    /// <summary>Writes the batch as part of <paramref name="transaction"/>.</summary>
    /// <param name="batch">The batch: at least one operation.</param>
    /// <param name="transaction">The caller's open transaction, on a connection to the event-streaming database.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>For each append, the offset of its last event (final once the caller commits).</returns>
    Task<EventBatchResult> WriteAsync(EventBatch batch, NpgsqlTransaction transaction, CancellationToken cancellationToken = default);
}
