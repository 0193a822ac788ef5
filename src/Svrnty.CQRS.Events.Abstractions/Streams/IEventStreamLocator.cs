namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Finds positions in a stream by time.</summary>
public interface IEventStreamLocator
{
    /// <summary>Finds the offset of the first retained event the store accepted at or after a time.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="timestamp">The time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>That offset, or the stream's length when every event is older (0 for a missing stream).</returns>
    Task<long> FindOffsetAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken = default);
}
