namespace Svrnty.CQRS.Events.Retention;

/// <summary>
/// The primitives a backend gives retention enforcement: list streams by name prefix, delete a bounded batch of a
/// stream's oldest events, delete a bounded batch of old dead letters. Each call is short, so enforcement never holds
/// locks for long and appends to the same stream keep flowing. A stream only ever loses a prefix (its oldest events):
/// offsets are never reused and a stream's length never changes. Backends register it with <c>TryAdd</c>; the
/// <see cref="IRetentionEnforcer"/> drives it.
/// </summary>
internal interface IRetentionBackend
{
    /// <summary>Lists the names of existing streams that start with <paramref name="prefix"/> (ordinal), one page at
    /// a time in a backend-defined order.</summary>
    /// <param name="prefix">The name prefix; empty for every stream.</param>
    /// <param name="after">The last name of the previous page, or null for the first page.</param>
    /// <param name="maxCount">The page size: 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>At most <paramref name="maxCount"/> names; fewer means the last page.</returns>
    Task<IReadOnlyList<string>> ListStreamsAsync(string prefix, string? after, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes, oldest first, at most <paramref name="maxCount"/> of a stream's retained events: those beyond the
    /// newest <paramref name="maxEventCount"/>, and those accepted before <paramref name="olderThan"/> up to (not
    /// including) the oldest event accepted at or after it, whichever reaches further. Only a prefix of the stream is
    /// deleted, never a hole.
    /// </summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="maxEventCount">How many of the newest events to keep (0 or more), or null for no count limit.</param>
    /// <param name="olderThan">The age cutoff, or null for no age limit.</param>
    /// <param name="maxCount">The most events this call deletes: 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many events were deleted; fewer than <paramref name="maxCount"/> means nothing more is due.</returns>
    Task<int> TrimStreamAsync(string streamName, long? maxEventCount, DateTimeOffset? olderThan, int maxCount,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes, oldest first, at most <paramref name="maxCount"/> dead letters of any queue that were
    /// dead-lettered before <paramref name="olderThan"/>.</summary>
    /// <param name="olderThan">The age cutoff.</param>
    /// <param name="maxCount">The most dead letters this call deletes: 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many were deleted, per queue (queues with none deleted are left out).</returns>
    Task<IReadOnlyList<DeadLetterRetentionResult>> DeleteDeadLettersAsync(DateTimeOffset olderThan, int maxCount,
        CancellationToken cancellationToken = default);
}
