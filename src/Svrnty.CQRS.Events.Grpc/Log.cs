using Microsoft.Extensions.Logging;

namespace Svrnty.CQRS.Events.Grpc;

/// <summary>Log messages of the gRPC endpoints, with stable event ids (5000-5099).</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Debug, "gRPC subscription to {StreamName} for group {ConsumerGroup} started at offset {StartOffset}.")]
    public static partial void SubscriptionStarted(ILogger logger, string streamName, string consumerGroup, long startOffset);

    [LoggerMessage(5001, LogLevel.Debug, "gRPC subscription to {StreamName} for group {ConsumerGroup} ended after {Delivered} events.")]
    public static partial void SubscriptionEnded(ILogger logger, string streamName, string consumerGroup, long delivered);

    [LoggerMessage(5002, LogLevel.Warning, "gRPC call {Method} failed because the event store is unavailable; the client was told to retry (UNAVAILABLE).")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(5003, LogLevel.Error, "gRPC call {Method} failed unexpectedly (trace id {TraceId}); the client got INTERNAL without details.")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string method, string traceId);
}
