namespace Svrnty.CQRS.Events.Grpc;

/// <summary>The names of the headers and trailers the gRPC endpoints send, for clients that act on them.</summary>
public static class EventStreamingGrpcMetadata
{
    /// <summary>Response header of <c>Subscribe</c>: the offset the subscription starts at (the group's committed
    /// offset, or where the request's start says). Sent once the start is known, before any event.</summary>
    public const string StartOffset = "start-offset";

    /// <summary>Trailer of an <c>INVALID_ARGUMENT</c> status: the request field that was rejected (e.g. <c>stream_name</c>,
    /// <c>events[2].json</c>).</summary>
    public const string ParameterName = "parameter-name";

    /// <summary>Trailer of an <c>ABORTED</c> status from an append: the stream whose expected length was not met (in a
    /// <c>WriteBatch</c>, the one of its appends that failed).</summary>
    public const string StreamName = "stream-name";

    /// <summary>Trailer of an <c>ABORTED</c> status from an append: the length the request expected.</summary>
    public const string ExpectedLength = "expected-length";

    /// <summary>Trailer of an <c>ABORTED</c> status from an append: the stream's length when the append was attempted.</summary>
    public const string ActualLength = "actual-length";

    /// <summary>Trailer of a <c>FAILED_PRECONDITION</c> status from a <c>WriteBatch</c>: the queue of the acknowledgement
    /// whose consumer no longer holds the message.</summary>
    public const string QueueName = "queue-name";

    /// <summary>Trailer of a <c>FAILED_PRECONDITION</c> status from a <c>WriteBatch</c>: the event id of the message the
    /// consumer no longer holds.</summary>
    public const string EventId = "event-id";
}
