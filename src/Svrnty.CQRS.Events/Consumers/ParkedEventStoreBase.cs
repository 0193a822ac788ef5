using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>The base every backend's <see cref="IParkedEventStore"/> derives from: arguments are validated once,
/// before any I/O.</summary>
internal abstract class ParkedEventStoreBase : IParkedEventStore
{
    /// <inheritdoc />
    public Task ParkAsync(ParkedEvent parkedEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parkedEvent);
        Argument.ReadableName(parkedEvent.StreamName, nameof(parkedEvent));
        Argument.Name(parkedEvent.ConsumerGroup, nameof(parkedEvent));
        Argument.Name(parkedEvent.EventId, nameof(parkedEvent));
        Argument.NotNegative(parkedEvent.Offset, nameof(parkedEvent));
        return ParkCoreAsync(parkedEvent, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ParkedEvent>> ReadAsync(string streamName, string consumerGroup, int maxCount, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        Argument.MaxCount(maxCount, nameof(maxCount));
        return ReadCoreAsync(streamName, consumerGroup, maxCount, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string streamName, string consumerGroup, long offset, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        Argument.NotNegative(offset, nameof(offset));
        return DeleteCoreAsync(streamName, consumerGroup, offset, cancellationToken);
    }

    /// <summary>See <see cref="IParkedEventStore.ParkAsync"/>.</summary>
    /// <param name="parkedEvent">A valid record.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when stored.</returns>
    protected abstract Task ParkCoreAsync(ParkedEvent parkedEvent, CancellationToken cancellationToken);

    /// <summary>See <see cref="IParkedEventStore.ReadAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="consumerGroup">A valid group name.</param>
    /// <param name="maxCount">1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The parked events, oldest offset first.</returns>
    protected abstract Task<IReadOnlyList<ParkedEvent>> ReadCoreAsync(string streamName, string consumerGroup, int maxCount, CancellationToken cancellationToken);

    /// <summary>See <see cref="IParkedEventStore.DeleteAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="consumerGroup">A valid group name.</param>
    /// <param name="offset">0 or more.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether a record was deleted.</returns>
    protected abstract Task<bool> DeleteCoreAsync(string streamName, string consumerGroup, long offset, CancellationToken cancellationToken);
}
