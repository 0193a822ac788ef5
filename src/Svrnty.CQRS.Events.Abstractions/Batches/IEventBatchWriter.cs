namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Writes an <see cref="EventBatch"/> atomically: readers, dequeuers, logs and subscribers see every operation
/// of it or none. Registered by every backend; <see cref="IEventStreamStore"/> also is one.</summary>
public interface IEventBatchWriter
{
    /// <summary>
    /// Writes the batch in one commit (on PostgreSQL, one round trip). Operations apply in the order added; a second
    /// append to the same stream sees the first. A wrong expected length (<see cref="StreamConcurrencyException"/>, naming
    /// the stream), a lost lease (<see cref="QueueLeaseLostException"/>) or any error writes nothing. Batches on disjoint
    /// streams never wait on each other; batches on overlapping streams never deadlock.
    /// </summary>
    /// <param name="batch">The batch: at least one operation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>For each append, the offset of its last event.</returns>
    /// <exception cref="ArgumentException">The batch is empty.</exception>
    Task<EventBatchResult> WriteAsync(EventBatch batch, CancellationToken cancellationToken = default);
}
