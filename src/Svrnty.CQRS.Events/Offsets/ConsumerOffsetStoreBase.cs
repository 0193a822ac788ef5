using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Offsets;

/// <summary>The base every backend's <see cref="IConsumerOffsetStore"/> derives from: arguments are validated once,
/// before any I/O.</summary>
internal abstract class ConsumerOffsetStoreBase : IConsumerOffsetStore
{
    /// <inheritdoc />
    public Task CommitOffsetAsync(string streamName, string consumerGroup, long nextOffset, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        Argument.NotNegative(nextOffset, nameof(nextOffset));
        return SetOffsetCoreAsync(streamName, consumerGroup, nextOffset, onlyForward: true, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long?> GetOffsetAsync(string streamName, string consumerGroup, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        return GetOffsetCoreAsync(streamName, consumerGroup, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ConsumerOffset>> GetOffsetsAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        return GetOffsetsCoreAsync(streamName, cancellationToken);
    }

    /// <inheritdoc />
    public Task ResetOffsetAsync(string streamName, string consumerGroup, long nextOffset, CancellationToken cancellationToken = default)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        Argument.NotNegative(nextOffset, nameof(nextOffset));
        return SetOffsetCoreAsync(streamName, consumerGroup, nextOffset, onlyForward: false, cancellationToken);
    }

    /// <summary>
    /// The hosted consumer's commit: as <see cref="CommitOffsetAsync"/>, but only while <paramref name="epoch"/> is the
    /// group holder's current epoch, checked in the same atomic step as the write (no check-then-act race).
    /// </summary>
    /// <exception cref="Consumers.ConsumerGroupFencedException">Another holder has taken the group since; nothing was written.</exception>
    internal Task CommitFencedAsync(string streamName, string consumerGroup, long nextOffset, long epoch, CancellationToken cancellationToken)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        Argument.NotNegative(nextOffset, nameof(nextOffset));
        return CommitFencedCoreAsync(streamName, consumerGroup, nextOffset, epoch, cancellationToken);
    }

    /// <summary>See <see cref="CommitFencedAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="consumerGroup">A valid group name.</param>
    /// <param name="nextOffset">0 or more.</param>
    /// <param name="epoch">The holder's epoch.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the offset is stored.</returns>
    protected abstract Task CommitFencedCoreAsync(string streamName, string consumerGroup, long nextOffset, long epoch, CancellationToken cancellationToken);

    /// <summary>Stores a group's offset.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="consumerGroup">A valid group name.</param>
    /// <param name="nextOffset">0 or more.</param>
    /// <param name="onlyForward">True for a commit (a lower value than the stored one is ignored), false for a reset.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the offset is stored.</returns>
    protected abstract Task SetOffsetCoreAsync(string streamName, string consumerGroup, long nextOffset, bool onlyForward,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="IConsumerOffsetStore.GetOffsetAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="consumerGroup">A valid group name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offset or null.</returns>
    protected abstract Task<long?> GetOffsetCoreAsync(string streamName, string consumerGroup, CancellationToken cancellationToken);

    /// <summary>See <see cref="IConsumerOffsetStore.GetOffsetsAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offsets ordered by group.</returns>
    protected abstract Task<IReadOnlyList<ConsumerOffset>> GetOffsetsCoreAsync(string streamName, CancellationToken cancellationToken);
}
