using Npgsql;
using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.Queues;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.PostgreSQL.Queues;

/// <summary>
/// The PostgreSQL queue store: one row per pending message in <c>queue_messages</c>, visible or leased (a lease is two
/// columns, <c>holder</c> and <c>visible_at</c>), so every operation is one statement on one row, run through the
/// <see cref="PostgresExecutor"/>. Each statement is built once per schema beside its operation; a dequeue and a nack,
/// which may move a message to the dead letters, are in <c>PostgresEventQueue.Lease.cs</c>.
/// </summary>
internal sealed partial class PostgresEventQueue(PostgresExecutor executor, EventSerializer serializer, TimeProvider time,
    EventStreamingTelemetry telemetry) : EventQueueBase(telemetry)
{
    private readonly string _schema = executor.Database.Schema;

    protected override string SystemName => "postgresql";

    private string EnqueueSql => field ??= EnqueueStatement(_schema, executor.Database.NotificationChannel is not null, batch: false);

    /// <summary>The enqueue: $1 queue, $2 event id, $3 type, $4 correlation id, $5 data, $6 occurred at, $7 now, $8 trace
    /// parent, $9 the notification channel (with notifications on: the same statement sends NOTIFY for a message
    /// actually added, not for a duplicate). In a batch it returns one row, so each operation of a batch has one result.
    /// Each also, only when the message was already pending (nothing added), writes a tiny transactional WAL record
    /// (<c>pg_logical_emit_message</c>), so that the duplicate's statement commits like a write: with synchronous
    /// replication, a repeat of an enqueue whose first commit no standby confirmed succeeds only once one does (docs/postgresql.md, "Replication and
    /// failover"), instead of succeeding on what is only on the primary.</summary>
    internal static string EnqueueStatement(string schema, bool notify, bool batch)
    {
        var insert = $"""
            INSERT INTO {schema}.queue_messages (queue_name, event_id, event_type, correlation_id, data, occurred_at, enqueued_at, visible_at, trace_parent)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (queue_name, event_id) DO NOTHING
            """;
        return (notify, batch) switch
        {
            (false, false) => $"WITH added AS ({insert} RETURNING 1) SELECT {ConfirmDuplicate}",
            (true, false) => $"WITH added AS ({insert} RETURNING 1) SELECT (SELECT pg_notify($9, 'q' || $1) FROM added), {ConfirmDuplicate}",
            (false, true) => $"WITH added AS ({insert} RETURNING 1) SELECT count(*), {ConfirmDuplicate} FROM added",
            (true, true) => $"WITH added AS ({insert} RETURNING 1) SELECT count(*), (SELECT pg_notify($9, 'q' || $1) FROM added), {ConfirmDuplicate} FROM added",
        };
    }

    /// <summary>A WAL record written when the enqueue added nothing (see <see cref="EnqueueStatement"/>).</summary>
    private const string ConfirmDuplicate = $"(SELECT {ConfirmCommit} WHERE NOT EXISTS (SELECT 1 FROM added))";

    /// <summary>A transactional WAL record of a few bytes: a transaction that only reads commits like a write with it,
    /// so with synchronous replication it returns once a standby has everything up to it (a transaction that writes no
    /// WAL, even with a transaction id, does not wait). Executable by every role unless a DBA revoked it.</summary>
    internal const string ConfirmCommit = "pg_logical_emit_message(true, 'svrnty.confirm', '')";

    /// <summary>Adds the enqueue's parameters to <paramref name="parameters"/>.</summary>
    internal static void AddEnqueueParameters(NpgsqlParameterCollection parameters, string queueName, ICorrelatedEvent @event,
        SerializedEvent serialized, DateTimeOffset now, string? traceParent, string? channel)
    {
        parameters.With(queueName).With(@event.EventId).With(serialized.EventType).With(@event.CorrelationId, NpgsqlDbType.Text)
            .With(serialized.Json, NpgsqlDbType.Json).With(@event.OccurredAt.Utc()).With(now).With(traceParent, NpgsqlDbType.Text);
        if (channel is not null)
        {
            parameters.With(channel);
        }
    }

    private string AckSql => field ??= AckStatement(_schema);

    /// <summary>The acknowledgement: $1 queue, $2 event id, $3 consumer; it matches only the holder's lease.</summary>
    internal static string AckStatement(string schema) => $"DELETE FROM {schema}.queue_messages WHERE queue_name = $1 AND event_id = $2 AND holder = $3";

    private string ExtendLeaseSql => field ??=
        $"UPDATE {_schema}.queue_messages SET visible_at = $4 WHERE queue_name = $1 AND event_id = $2 AND holder = $3 RETURNING visible_at";

    private string PendingSql => field ??= $"SELECT count(*) FROM {_schema}.queue_messages WHERE queue_name = $1";

    private string StatisticsSql => field ??= $"""
        SELECT count(*) FILTER (WHERE visible_at <= $2), count(*) FILTER (WHERE visible_at > $2), min(enqueued_at),
               (SELECT count(*) FROM {_schema}.dead_letters WHERE queue_name = $1)
        FROM {_schema}.queue_messages WHERE queue_name = $1
        """;

    protected override Task EnqueueCoreAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken)
    {
        var serialized = serializer.Serialize(@event);
        var now = time.GetUtcNow();
        var traceParent = TraceContext.Current;

        // Not repeated once sent: the enqueue is a no-op only while the message is pending, so a retry after an attempt
        // that committed could add it again if a consumer had taken and acknowledged it in between.
        return executor.RunAsync("enqueue", Repeat.OnlyIfNotSent, EnqueueSql, async (command, ct) =>
        {
            AddEnqueueParameters(command.Parameters, streamName, @event, serialized, now, traceParent, executor.Database.NotificationChannel);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    // Acks and lease extensions match on the holder, so a repeat after an attempt that committed matches nothing and
    // changes nothing (it then reports false: the message is gone or no longer held, as the first attempt left it).
    protected override Task<bool> AcknowledgeCoreAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken) =>
        executor.RunAsync("ack", Repeat.Safe, AckSql, async (command, ct) =>
        {
            command.With(streamName).With(eventId).With(consumerId);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);

    protected override Task<DateTimeOffset?> ExtendLeaseCoreAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + visibilityTimeout;
        return executor.RunAsync("extend_lease", Repeat.Safe, ExtendLeaseSql, async (command, ct) =>
        {
            command.With(streamName).With(eventId).With(consumerId).With(until);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is DateTime extended
                ? new DateTimeOffset(DateTime.SpecifyKind(extended, DateTimeKind.Utc))
                : (DateTimeOffset?)null;
        }, cancellationToken);
    }

    protected override Task<long> GetPendingCountCoreAsync(string streamName, CancellationToken cancellationToken) =>
        executor.RunAsync("pending", Repeat.Safe, PendingSql, async (command, ct) =>
        {
            command.With(streamName);
            return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    protected override Task<QueueStatistics> GetQueueStatisticsCoreAsync(string streamName, CancellationToken cancellationToken) =>
        executor.RunAsync("queue_statistics", Repeat.Safe, StatisticsSql, async (command, ct) =>
        {
            command.With(streamName).With(time.GetUtcNow());
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                return new QueueStatistics
                {
                    StreamName = streamName,
                    Visible = reader.GetInt64(0),
                    InFlight = reader.GetInt64(1),
                    OldestPendingEnqueuedAt = reader.IsDBNull(2) ? null : reader.GetTimestamp(2),
                    DeadLettered = reader.GetInt64(3),
                };
            }
        }, cancellationToken);
}
