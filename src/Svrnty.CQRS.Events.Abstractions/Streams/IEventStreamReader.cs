namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Reads (replays) persistent streams and their metadata.</summary>
public interface IEventStreamReader
{
    /// <summary>Reads events with <c>Offset &gt;= fromOffset</c> in ascending offset order.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="fromOffset">The first offset wanted; 0 or more. Below the oldest retained event, reading starts at
    /// the oldest retained event.</param>
    /// <param name="maxCount">The most events returned; 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>At most <paramref name="maxCount"/> events; empty past the end or for a stream that does not exist.
    /// An event whose stored type can no longer be resolved comes back as an <see cref="UnknownEvent"/>.</returns>
    Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamName, long fromOffset, int maxCount,
        CancellationToken cancellationToken = default);

    /// <summary>The number of events ever appended to the stream, which is also the next offset. O(1).</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The length; 0 for a stream that does not exist. Retention does not lower it.</returns>
    Task<long> GetStreamLengthAsync(string streamName, CancellationToken cancellationToken = default);

    /// <summary>Describes a stream: its length, how many events are retained and the oldest and newest of them. O(1).</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The metadata; for a stream that never existed <see cref="StreamMetadata.Exists"/> is false, the counts
    /// are 0 and the nullable fields are null.</returns>
    Task<StreamMetadata> GetStreamMetadataAsync(string streamName, CancellationToken cancellationToken = default);
}
