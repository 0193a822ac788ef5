namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Where each consumer group is in each stream, so a consumer resumes after a restart.</summary>
/// <remarks>An offset here is the offset of the next event the group will process.</remarks>
public interface IConsumerOffsetStore
{
    /// <summary>Records a group's progress. Never moves a group backwards: a value lower than the stored one is
    /// ignored.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="nextOffset">The offset of the next event to process; 0 or more.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task CommitOffsetAsync(string streamName, string consumerGroup, long nextOffset, CancellationToken cancellationToken = default);

    /// <summary>Reads a group's committed offset.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offset of the next event to process, or null when the group never committed on this stream.</returns>
    Task<long?> GetOffsetAsync(string streamName, string consumerGroup, CancellationToken cancellationToken = default);

    /// <summary>Lists every group's offset on a stream.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The offsets, ordered by consumer group; empty when there are none.</returns>
    Task<IReadOnlyList<ConsumerOffset>> GetOffsetsAsync(string streamName, CancellationToken cancellationToken = default);

    /// <summary>Sets a group's offset to any value, backwards included (to replay) or forwards (to skip).</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="nextOffset">The offset of the next event to process; 0 or more.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task ResetOffsetAsync(string streamName, string consumerGroup, long nextOffset, CancellationToken cancellationToken = default);
}
