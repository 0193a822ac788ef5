using Microsoft.Extensions.Logging;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>Log messages of the consumers, with stable event ids (3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Stream consumer {ConsumerGroup} on {StreamName} is active from offset {NextOffset}.")]
    public static partial void ConsumerActive(ILogger logger, string streamName, string consumerGroup, long nextOffset);

    [LoggerMessage(3001, LogLevel.Debug, "Stream consumer {ConsumerGroup} on {StreamName} is on standby: another instance holds the group.")]
    public static partial void ConsumerStandby(ILogger logger, string streamName, string consumerGroup);

    [LoggerMessage(3002, LogLevel.Information, "Stream consumer {ConsumerGroup} on {StreamName} stopped at offset {NextOffset}.")]
    public static partial void ConsumerStopped(ILogger logger, string streamName, string consumerGroup, long nextOffset);

    [LoggerMessage(3003, LogLevel.Warning, "Stream consumer {ConsumerGroup} on {StreamName} lost its group lock; it will try to take it back.")]
    public static partial void ConsumerLockLost(ILogger logger, string streamName, string consumerGroup);

    [LoggerMessage(3004, LogLevel.Warning, "Handler of {ConsumerGroup} failed on {StreamName}@{Offset} (attempt {Attempt} of {MaxAttempts}).")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string streamName, string consumerGroup, long offset, int attempt, int maxAttempts);

    [LoggerMessage(3005, LogLevel.Error, "Parked {StreamName}@{Offset} for {ConsumerGroup} after {Attempts} attempts; consumption continues.")]
    public static partial void EventParked(ILogger logger, Exception exception, string streamName, string consumerGroup, long offset, int attempts);

    [LoggerMessage(3006, LogLevel.Critical, "Stream consumer {ConsumerGroup} on {StreamName} stopped on {StreamName}@{Offset} after {Attempts} attempts (OnFailure = Stop). Fix the cause and restart; it resumes at this event.")]
    public static partial void ConsumerStoppedOnFailure(ILogger logger, Exception exception, string streamName, string consumerGroup, long offset, int attempts);

    [LoggerMessage(3007, LogLevel.Warning, "Consumer group {ConsumerGroup} on {StreamName} expected offset {ExpectedOffset} but the oldest retained event is {ResumedOffset}: {Skipped} events were deleted by retention before being processed.")]
    public static partial void SkippedDeletedEvents(ILogger logger, string streamName, string consumerGroup, long expectedOffset, long resumedOffset, long skipped);

    [LoggerMessage(3008, LogLevel.Error, "Stream consumer {ConsumerGroup} on {StreamName} failed; retrying in {Delay}.")]
    public static partial void ConsumerLoopFailed(ILogger logger, Exception exception, string streamName, string consumerGroup, TimeSpan delay);

    [LoggerMessage(3009, LogLevel.Warning, "Stream consumer {ConsumerGroup} on {StreamName} was fenced: another instance took the group after epoch {Epoch}, so its commit was rejected; it stopped and stands by.")]
    public static partial void ConsumerFenced(ILogger logger, string streamName, string consumerGroup, long epoch);

    [LoggerMessage(3010, LogLevel.Information, "Queue consumer on {QueueName} started with {Concurrency} workers.")]
    public static partial void QueueConsumerStarted(ILogger logger, string queueName, int concurrency);

    [LoggerMessage(3011, LogLevel.Warning, "Queue handler failed on {QueueName}/{EventId} (delivery {DeliveryCount}); the message will be redelivered or dead-lettered.")]
    public static partial void QueueHandlerFailed(ILogger logger, Exception exception, string queueName, string eventId, int deliveryCount);

    [LoggerMessage(3012, LogLevel.Warning, "Lease on {QueueName}/{EventId} was lost while its handler ran; another consumer may handle it too.")]
    public static partial void QueueLeaseLost(ILogger logger, string queueName, string eventId);

    [LoggerMessage(3013, LogLevel.Error, "Queue consumer {ConsumerId} on {QueueName} failed; retrying in {Delay}.")]
    public static partial void QueueLoopFailed(ILogger logger, Exception exception, string queueName, string consumerId, TimeSpan delay);

    [LoggerMessage(3014, LogLevel.Warning, "Queue consumer {ConsumerId} on {QueueName} could not acknowledge or give back {EventId} within the host's shutdown timeout; the message is delivered again when its lease expires.")]
    public static partial void QueueSettleAbandoned(ILogger logger, string queueName, string eventId, string consumerId);
}
