using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Resilience;
using Svrnty.CQRS.Events.Serialization;
using Svrnty.CQRS.Events.Streams;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>
/// The PostgreSQL <see cref="IEventStreamStore"/>. Each operation is one round trip in the common case: one statement
/// or one function call (an append that meets a conflict or a known event id takes a second, see
/// <c>PostgresEventStreamStore.Append.cs</c>). The hot paths use Npgsql directly with typed parameters.
/// </summary>
internal sealed partial class PostgresEventStreamStore : EventStreamStoreBase
{
    private readonly PostgresDatabase _database;
    private readonly EventSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly PostgresRetry _retry;

    public PostgresEventStreamStore(PostgresDatabase database, PostgresRetry retry, EventSerializer serializer, TimeProvider time,
        EventStreamingTelemetry telemetry)
        : base(telemetry)
    {
        _database = database;
        _retry = retry;
        _serializer = serializer;
        _time = time;
        var s = database.Schema;
        _append = new AppendStatements(s, database.NotificationChannel is not null);
        // Offsets are contiguous from the oldest retained event (retention deletes a prefix), so a page lies within
        // [max(from, oldest), max(from, oldest) + count). Bounding the range both ways keeps a page read at most count
        // rows whatever plan the server picks: with stale statistics (a stream that grew since the last ANALYZE) it can
        // choose a bitmap scan of everything from the offset on, then a sort.
        _readSql = $"""
            SELECT stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent
            FROM {s}.events
            WHERE stream_name = $1 AND stream_offset >= $2
              AND stream_offset < least(greatest($2, (SELECT min(o.stream_offset) FROM {s}.events o WHERE o.stream_name = $1)),
                                        9223372036854775807 - $3) + $3
            ORDER BY stream_offset LIMIT $3
            """;
        _lengthSql = $"SELECT next_offset FROM {s}.streams WHERE stream_name = $1";
        _metadataSql = $"""
            SELECT st.next_offset, o.stream_offset, o.created_at, n.stream_offset, n.created_at
            FROM {s}.streams st
            LEFT JOIN LATERAL (SELECT e.stream_offset, e.created_at FROM {s}.events e
                               WHERE e.stream_name = st.stream_name ORDER BY e.stream_offset LIMIT 1) o ON true
            LEFT JOIN LATERAL (SELECT e.stream_offset, e.created_at FROM {s}.events e
                               WHERE e.stream_name = st.stream_name ORDER BY e.stream_offset DESC LIMIT 1) n ON true
            WHERE st.stream_name = $1
            """;
        var enqueue = $"""
            INSERT INTO {s}.queue_messages (queue_name, event_id, event_type, correlation_id, data, occurred_at, enqueued_at, visible_at, trace_parent)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (queue_name, event_id) DO NOTHING
            """;
        // With notifications on, the same statement sends NOTIFY for a message actually added (not for a duplicate).
        _enqueueSql = database.NotificationChannel is null
            ? enqueue
            : $"WITH added AS ({enqueue} RETURNING 1) SELECT pg_notify($9, 'q' || $1) FROM added";
        _extendLeaseSql = $"UPDATE {s}.queue_messages SET visible_at = $4 WHERE queue_name = $1 AND event_id = $2 AND holder = $3 RETURNING visible_at";
        _findOffsetSql = $"""
            SELECT coalesce(
                (SELECT stream_offset FROM {s}.events WHERE stream_name = $1 AND created_at >= $2 ORDER BY created_at, stream_offset LIMIT 1),
                (SELECT next_offset FROM {s}.streams WHERE stream_name = $1),
                0)
            """;
        _dequeueSql = $"SELECT event_id, event_type, correlation_id, data, occurred_at, delivery_count, visible_at, trace_parent FROM {s}.dequeue($1, $2, $3, $4)";
        _ackSql = $"DELETE FROM {s}.queue_messages WHERE queue_name = $1 AND event_id = $2 AND holder = $3";
        _nackSql = $"SELECT {s}.nack($1, $2, $3, $4, $5)";
        _pendingSql = $"SELECT count(*) FROM {s}.queue_messages WHERE queue_name = $1";
        _statisticsSql = $"""
            SELECT count(*) FILTER (WHERE visible_at <= $2), count(*) FILTER (WHERE visible_at > $2), min(enqueued_at),
                   (SELECT count(*) FROM {s}.dead_letters WHERE queue_name = $1)
            FROM {s}.queue_messages WHERE queue_name = $1
            """;
    }

    protected override string SystemName => "postgresql";

    /// <summary>One command on a pooled connection (opened after the schema check), retried as <paramref name="repeat"/> allows.</summary>
    private Task<T> RunAsync<T>(string operation, Repeat repeat, string sql, Func<NpgsqlCommand, CancellationToken, Task<T>> execute,
        CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(operation, repeat, async (connection, ct) =>
        {
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                return await execute(command, ct).ConfigureAwait(false);
            }
        }, cancellationToken);

    private DateTimeOffset Now() => _time.GetUtcNow();
}
