using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Queues;

/// <summary>The base every backend's <see cref="IDeadLetterStore"/> derives from: arguments are validated once,
/// before any I/O.</summary>
internal abstract class DeadLetterStoreBase : IDeadLetterStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<DeadLetter>> ReadAsync(string streamName, int maxCount, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.MaxCount(maxCount, nameof(maxCount));
        return ReadCoreAsync(streamName, maxCount, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> CountAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        return CountCoreAsync(streamName, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RequeueAsync(string streamName, string eventId, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Name(eventId, nameof(eventId));
        return RequeueCoreAsync(streamName, eventId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> PurgeAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        return PurgeCoreAsync(streamName, cancellationToken);
    }

    /// <summary>See <see cref="IDeadLetterStore.ReadAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="maxCount">1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The dead letters, oldest first.</returns>
    protected abstract Task<IReadOnlyList<DeadLetter>> ReadCoreAsync(string streamName, int maxCount, CancellationToken cancellationToken);

    /// <summary>See <see cref="IDeadLetterStore.CountAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The count.</returns>
    protected abstract Task<long> CountCoreAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>See <see cref="IDeadLetterStore.RequeueAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="eventId">A valid event id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether a dead letter was moved.</returns>
    protected abstract Task<bool> RequeueCoreAsync(string streamName, string eventId, CancellationToken cancellationToken);

    /// <summary>See <see cref="IDeadLetterStore.PurgeAsync"/>.</summary>
    /// <param name="streamName">A valid queue name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many were deleted.</returns>
    protected abstract Task<long> PurgeCoreAsync(string streamName, CancellationToken cancellationToken);
}
