namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// Thrown by <see cref="IEventStreamWriter.AppendAsync(string, IReadOnlyCollection{ICorrelatedEvent}, long?, CancellationToken)"/>
/// when the stream's length is not the expected one. Nothing was written.
/// </summary>
public sealed class StreamConcurrencyException : EventStreamException
{
    /// <summary>Creates the exception for a stream whose length was not the expected one.</summary>
    /// <param name="streamName">The stream that was appended to.</param>
    /// <param name="expectedLength">The length the caller expected.</param>
    /// <param name="actualLength">The stream's length when the append was attempted.</param>
    public StreamConcurrencyException(string streamName, long expectedLength, long actualLength)
        : base($"Stream '{streamName}' was expected to have length {expectedLength} but has length {actualLength}; nothing was appended.")
    {
        StreamName = streamName;
        ExpectedLength = expectedLength;
        ActualLength = actualLength;
    }

    /// <summary>The stream that was appended to.</summary>
    public string StreamName { get; }

    /// <summary>The length the caller expected.</summary>
    public long ExpectedLength { get; }

    /// <summary>The stream's length when the append was attempted.</summary>
    public long ActualLength { get; }
}
