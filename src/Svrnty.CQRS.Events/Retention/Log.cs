using Microsoft.Extensions.Logging;

namespace Svrnty.CQRS.Events.Retention;

/// <summary>Log messages of retention enforcement, with stable event ids (2000-2099).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Retention deleted the {EventCount} oldest events of stream \"{StreamName}\" (policy \"{PolicyName}\").")]
    public static partial void StreamTrimmed(ILogger logger, long eventCount, string streamName, string policyName);

    [LoggerMessage(2001, LogLevel.Information, "Retention deleted {DeadLetterCount} dead letters of queue \"{QueueName}\" older than {MaxAge}.")]
    public static partial void DeadLettersDeleted(ILogger logger, long deadLetterCount, string queueName, TimeSpan maxAge);

    [LoggerMessage(2002, LogLevel.Debug, "Retention run finished in {ElapsedMilliseconds} ms: {EventCount} events deleted from {StreamCount} streams, {DeadLetterCount} dead letters deleted.")]
    public static partial void RunFinished(ILogger logger, long elapsedMilliseconds, long eventCount, int streamCount, long deadLetterCount);

    [LoggerMessage(2003, LogLevel.Error, "Retention run failed; the next run is in {Interval}.")]
    public static partial void RunFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(2004, LogLevel.Information, "Retention enforcement started: every {Interval}, batches of {BatchSize}.")]
    public static partial void Started(ILogger logger, TimeSpan interval, int batchSize);
}
