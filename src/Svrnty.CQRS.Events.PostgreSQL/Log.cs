using Microsoft.Extensions.Logging;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>Log messages of the PostgreSQL backend, with stable event ids (1000-1099: migrations, 1100-1199: notifications and consumer locks, 1200-1299: retries).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Event-streaming schema \"{Schema}\" is up to date at version {Version}.")]
    public static partial void SchemaUpToDate(ILogger logger, string schema, int version);

    [LoggerMessage(1001, LogLevel.Information, "Applying migration {Migration} to schema \"{Schema}\".")]
    public static partial void ApplyingMigration(ILogger logger, string migration, string schema);

    [LoggerMessage(1002, LogLevel.Information, "Applied migration {Migration} to schema \"{Schema}\" in {ElapsedMilliseconds} ms.")]
    public static partial void AppliedMigration(ILogger logger, string migration, string schema, long elapsedMilliseconds);

    [LoggerMessage(1003, LogLevel.Error, "Migration {Migration} of schema \"{Schema}\" failed and was rolled back; the schema stays at version {Version}.")]
    public static partial void MigrationFailed(ILogger logger, Exception exception, string migration, string schema, int version);

    [LoggerMessage(1004, LogLevel.Warning, "Migration {Migration} was applied to schema \"{Schema}\" with checksum {AppliedChecksum}, but the embedded script now has checksum {EmbeddedChecksum}. Applied scripts must not be edited; add a new migration instead.")]
    public static partial void ChecksumMismatch(ILogger logger, string migration, string schema, string appliedChecksum, string embeddedChecksum);

    [LoggerMessage(1005, LogLevel.Debug, "Waiting for the migration lock of schema \"{Schema}\" (another instance may be migrating).")]
    public static partial void WaitingForMigrationLock(ILogger logger, string schema);

    [LoggerMessage(1006, LogLevel.Error, "Cannot connect to PostgreSQL to migrate schema \"{Schema}\" (Host={Host}; Port={Port}; Database={Database}; Username={Username}).")]
    public static partial void MigrationConnectionFailed(ILogger logger, Exception exception, string schema, string? host, int port, string? database, string? username);

    [LoggerMessage(1007, LogLevel.Information, "Building the payload index of schema \"{Schema}\" concurrently (EnablePayloadIndex = true); appends and reads go on meanwhile.")]
    public static partial void CreatingPayloadIndex(ILogger logger, string schema);

    [LoggerMessage(1008, LogLevel.Information, "Built the payload index of schema \"{Schema}\" in {ElapsedMilliseconds} ms.")]
    public static partial void CreatedPayloadIndex(ILogger logger, string schema, long elapsedMilliseconds);

    [LoggerMessage(1009, LogLevel.Information, "Dropped the payload index of schema \"{Schema}\" concurrently in {ElapsedMilliseconds} ms (unwanted, or left invalid by a failed build).")]
    public static partial void DroppedPayloadIndex(ILogger logger, string schema, long elapsedMilliseconds);

    [LoggerMessage(1010, LogLevel.Information, "Another instance is building or dropping the payload index of schema \"{Schema}\"; this one leaves it to it.")]
    public static partial void PayloadIndexBusy(ILogger logger, string schema);

    [LoggerMessage(1011, LogLevel.Error, "Timed out after {Timeout} waiting for the migration lock of schema \"{Schema}\", held by session pid {HolderPid} (application_name '{HolderApplicationName}').")]
    public static partial void MigrationLockTimedOut(ILogger logger, string schema, TimeSpan timeout, int? holderPid, string? holderApplicationName);

    [LoggerMessage(1200, LogLevel.Warning, "PostgreSQL operation {Operation} failed with a transient error ({Error}); attempt {Attempt}, {Elapsed} of its {Budget} retry budget spent, retrying in {Delay}.")]
    public static partial void RetryingTransientError(ILogger logger, Exception exception, string operation, string error, int attempt, TimeSpan elapsed, TimeSpan budget, TimeSpan delay);

    [LoggerMessage(1201, LogLevel.Warning, "PostgreSQL operation {Operation} failed with a transient error ({Error}) after {Attempt} attempts in {Elapsed}; its {Budget} retry budget is spent and the error goes to the caller.")]
    public static partial void RetryBudgetExhausted(ILogger logger, Exception exception, string operation, string error, int attempt, TimeSpan elapsed, TimeSpan budget);

    [LoggerMessage(1202, LogLevel.Error, "PostgreSQL operation {Operation} committed on the primary, but its wait for synchronous replication was cancelled: no standby confirmed it. The caller gets an EventStoreDurabilityUnconfirmedException and may send the same call again.")]
    public static partial void DurabilityUnconfirmed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(1210, LogLevel.Warning, "Consumer group {ConsumerGroup} committed offset {NextOffset} on stream {StreamName}, beyond the stream's end ({StreamLength}): {Missing} events it handled are no longer in the stream (a failover to a standby that lacked them?). New events will take those offsets and the group will not see them; reset the group's offset (ResetOffsetAsync) to {StreamLength} to handle them.")]
    public static partial void OffsetBeyondStreamEnd(ILogger logger, string consumerGroup, string streamName, long nextOffset, long streamLength, long missing);

    [LoggerMessage(1100, LogLevel.Information, "Listening for notifications on channel \"{Channel}\".")]
    public static partial void Listening(ILogger logger, string channel);

    [LoggerMessage(1101, LogLevel.Warning, "The notification listener on channel \"{Channel}\" failed; consumers fall back to polling until it reconnects in {Delay}.")]
    public static partial void ListenerFailed(ILogger logger, Exception exception, string channel, TimeSpan delay);

    [LoggerMessage(1103, LogLevel.Warning, "The log sequencer of schema \"{Schema}\" failed; log readers still number what they read, and it tries again in {Delay}.")]
    public static partial void LogSequencerFailed(ILogger logger, Exception exception, string schema, TimeSpan delay);

    [LoggerMessage(1102, LogLevel.Warning, "The connection holding the consumer-group lock of {ConsumerGroup} on {StreamName} failed; the lock is lost.")]
    public static partial void GroupLockLost(ILogger logger, Exception exception, string streamName, string consumerGroup);
}
