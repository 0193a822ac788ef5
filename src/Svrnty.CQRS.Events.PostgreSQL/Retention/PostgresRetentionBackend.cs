using NpgsqlTypes;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.PostgreSQL.Retention;

/// <summary>
/// The PostgreSQL <see cref="IRetentionBackend"/>. Each call is one short statement that touches at most one batch of
/// rows through the primary key, so it holds row locks briefly and never on the rows appenders insert; the
/// <c>streams</c> row (the stream's length) is never touched. A trim deletes the events' log positions
/// (<c>event_positions</c>) with them: log positions are never reused, and log reads go on past the gap.
/// </summary>
internal sealed class PostgresRetentionBackend : RetentionBackendBase
{
    private readonly PostgresExecutor _executor;
    private readonly string _listSql;
    private readonly string _trimSql;
    private readonly string _deadLettersSql;

    public PostgresRetentionBackend(PostgresExecutor executor)
    {
        _executor = executor;
        var s = executor.Database.Schema;

        // Keyset paging in the primary key's order; the caller passes the last name back (never blank, so '' starts).
        _listSql = $"""
            SELECT stream_name FROM {s}.streams
            WHERE stream_name > $2 AND starts_with(stream_name, $1)
            ORDER BY stream_name LIMIT $3
            """;

        // $1 stream, $2 keep newest (null: no count limit), $3 age cutoff (null: no age limit), $4 batch size.
        // The batch is at most $4 events from the oldest retained one, `first`. The count limit deletes below
        // next_offset - $2; the age limit, when the oldest event is old, below the first event of the batch accepted at
        // or after $3 (so a prefix even if timestamps are not monotonic); whichever reaches further. Every read goes
        // through the primary key and touches at most one batch of rows.
        _trimSql = $"""
            WITH head AS (
                SELECT st.next_offset, o.stream_offset AS first_offset, o.created_at AS first_created_at
                FROM {s}.streams st
                JOIN LATERAL (SELECT e.stream_offset, e.created_at FROM {s}.events e
                              WHERE e.stream_name = $1 ORDER BY e.stream_offset LIMIT 1) o ON true
                WHERE st.stream_name = $1),
            bound AS (
                SELECT h.first_offset, least(h.first_offset + $4, greatest(
                    coalesce(h.next_offset - $2, h.first_offset),
                    CASE WHEN $3::timestamptz IS NULL OR h.first_created_at >= $3 THEN h.first_offset
                         ELSE coalesce((SELECT min(w.stream_offset)
                                        FROM (SELECT y.stream_offset, y.created_at FROM {s}.events y
                                              WHERE y.stream_name = $1 AND y.stream_offset >= h.first_offset
                                                AND y.stream_offset < h.first_offset + $4
                                              ORDER BY y.stream_offset LIMIT $4) w
                                        WHERE w.created_at >= $3),
                                       h.first_offset + $4)
                    END)) AS before_offset
                FROM head h),
            -- No lower bound: a sequencer step may number events a trim deleted after they committed (between commit and
            -- numbering); their position rows, below the retained range, go with the next trim.
            positions AS (
                DELETE FROM {s}.event_positions p USING bound b
                WHERE p.stream_name = $1 AND p.stream_offset < b.before_offset)
            DELETE FROM {s}.events e USING bound b
            WHERE e.stream_name = $1 AND e.stream_offset >= b.first_offset AND e.stream_offset < b.before_offset
            """;

        _deadLettersSql = $"""
            WITH doomed AS (
                SELECT queue_name, event_id FROM {s}.dead_letters WHERE dead_lettered_at < $1
                ORDER BY dead_lettered_at LIMIT $2 FOR UPDATE SKIP LOCKED),
            deleted AS (
                DELETE FROM {s}.dead_letters d USING doomed
                WHERE d.queue_name = doomed.queue_name AND d.event_id = doomed.event_id
                RETURNING d.queue_name)
            SELECT queue_name, count(*) FROM deleted GROUP BY queue_name ORDER BY queue_name COLLATE "C"
            """;
    }

    // Every statement here is safe to repeat: a read, or a delete of what the policy says is due.
    protected override Task<IReadOnlyList<string>> ListStreamsCoreAsync(string prefix, string? after, int maxCount, CancellationToken cancellationToken) =>
        _executor.RunAsync("retention_list_streams", Repeat.Safe, _listSql, async (command, ct) =>
        {
            command.With(prefix).With(after ?? string.Empty).With((long)maxCount);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var names = new List<string>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    names.Add(reader.GetString(0));
                }

                return (IReadOnlyList<string>)names;
            }
        }, cancellationToken);

    protected override Task<int> TrimStreamCoreAsync(string streamName, long? maxEventCount, DateTimeOffset? olderThan, int maxCount,
        CancellationToken cancellationToken) =>
        _executor.RunAsync("retention_trim", Repeat.Safe, _trimSql, async (command, ct) =>
        {
            command
                .With(streamName)
                .With(maxEventCount, NpgsqlDbType.Bigint)
                .With(olderThan?.Utc(), NpgsqlDbType.TimestampTz)
                .With((long)maxCount);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    protected override Task<IReadOnlyList<DeadLetterRetentionResult>> DeleteDeadLettersCoreAsync(DateTimeOffset olderThan, int maxCount,
        CancellationToken cancellationToken) =>
        _executor.RunAsync("retention_dead_letters", Repeat.Safe, _deadLettersSql, async (command, ct) =>
        {
            command.With(olderThan.Utc()).With((long)maxCount);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var results = new List<DeadLetterRetentionResult>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    results.Add(new DeadLetterRetentionResult(reader.GetString(0), reader.GetInt64(1)));
                }

                return (IReadOnlyList<DeadLetterRetentionResult>)results;
            }
        }, cancellationToken);
}
