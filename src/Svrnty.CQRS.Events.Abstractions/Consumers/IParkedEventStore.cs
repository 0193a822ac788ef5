namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Events a hosted stream consumer gave up on after its retries, recorded with the error.</summary>
public interface IParkedEventStore
{
    /// <summary>Records a parked event (replacing an earlier record of the same offset for the same group).</summary>
    /// <param name="parkedEvent">The parked event.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the record is stored.</returns>
    Task ParkAsync(ParkedEvent parkedEvent, CancellationToken cancellationToken = default);

    /// <summary>Reads a group's parked events on a stream, oldest offset first.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="maxCount">The most returned; 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The parked events.</returns>
    Task<IReadOnlyList<ParkedEvent>> ReadAsync(string streamName, string consumerGroup, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Deletes a parked event once it has been dealt with.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="offset">The event's offset.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when a record was deleted.</returns>
    Task<bool> DeleteAsync(string streamName, string consumerGroup, long offset, CancellationToken cancellationToken = default);
}

/// <summary>An event a consumer group parked: the handler kept failing on it.</summary>
public sealed record ParkedEvent
{
    /// <summary>The stream.</summary>
    public required string StreamName { get; init; }

    /// <summary>The consumer group.</summary>
    public required string ConsumerGroup { get; init; }

    /// <summary>The event's offset; read the event itself with <see cref="IEventStreamReader.ReadStreamAsync"/>.</summary>
    public required long Offset { get; init; }

    /// <summary>The event's id.</summary>
    public required string EventId { get; init; }

    /// <summary>How many times the handler was called on it.</summary>
    public required int Attempts { get; init; }

    /// <summary>The last error (type and message).</summary>
    public required string Error { get; init; }

    /// <summary>When it was parked.</summary>
    public required DateTimeOffset ParkedAt { get; init; }
}
