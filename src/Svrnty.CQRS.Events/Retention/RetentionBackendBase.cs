using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Retention;

/// <summary>The base every backend's <see cref="IRetentionBackend"/> derives from: arguments are validated once,
/// before any I/O.</summary>
internal abstract class RetentionBackendBase : IRetentionBackend
{
    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListStreamsAsync(string prefix, string? after, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > Argument.MaxNameLength)
        {
            throw new ArgumentException($"The prefix must be at most {Argument.MaxNameLength} characters long; it has {prefix.Length}.", nameof(prefix));
        }

        if (after is not null)
        {
            Argument.Name(after, nameof(after));
        }

        Argument.MaxCount(maxCount, nameof(maxCount));
        return ListStreamsCoreAsync(prefix, after, maxCount, cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> TrimStreamAsync(string streamName, long? maxEventCount, DateTimeOffset? olderThan, int maxCount,
        CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        if (maxEventCount is { } keep)
        {
            Argument.NotNegative(keep, nameof(maxEventCount));
        }

        Argument.MaxCount(maxCount, nameof(maxCount));
        return TrimStreamCoreAsync(streamName, maxEventCount, olderThan, maxCount, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeadLetterRetentionResult>> DeleteDeadLettersAsync(DateTimeOffset olderThan, int maxCount,
        CancellationToken cancellationToken = default)
    {
        Argument.MaxCount(maxCount, nameof(maxCount));
        return DeleteDeadLettersCoreAsync(olderThan, maxCount, cancellationToken);
    }

    /// <summary>See <see cref="IRetentionBackend.ListStreamsAsync"/>.</summary>
    /// <param name="prefix">A prefix of at most 256 characters, possibly empty.</param>
    /// <param name="after">Null or a valid name.</param>
    /// <param name="maxCount">1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page of names.</returns>
    protected abstract Task<IReadOnlyList<string>> ListStreamsCoreAsync(string prefix, string? after, int maxCount, CancellationToken cancellationToken);

    /// <summary>See <see cref="IRetentionBackend.TrimStreamAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="maxEventCount">Null or 0 or more.</param>
    /// <param name="olderThan">The age cutoff or null.</param>
    /// <param name="maxCount">1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many events were deleted.</returns>
    protected abstract Task<int> TrimStreamCoreAsync(string streamName, long? maxEventCount, DateTimeOffset? olderThan, int maxCount,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IRetentionBackend.DeleteDeadLettersAsync"/>.</summary>
    /// <param name="olderThan">The age cutoff.</param>
    /// <param name="maxCount">1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many were deleted, per queue.</returns>
    protected abstract Task<IReadOnlyList<DeadLetterRetentionResult>> DeleteDeadLettersCoreAsync(DateTimeOffset olderThan, int maxCount,
        CancellationToken cancellationToken);
}
