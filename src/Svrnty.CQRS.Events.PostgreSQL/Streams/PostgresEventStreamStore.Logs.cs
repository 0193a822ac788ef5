using Npgsql;
using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Execution;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>
/// The log streams (<see cref="LogStreams"/>). An append records itself in <c>log_pending</c> (Append.cs); the
/// sequencer step here gives the events of every visible pending append their positions. Every log read, length,
/// metadata and timestamp lookup sends, in one round trip (one implicit transaction), the sequencer step and then its
/// query, so a read counts every append that returned before it (read-your-writes); the background
/// <see cref="LogSequencerService"/> keeps the pending set small when nobody reads.
/// </summary>
/// <remarks>
/// The step takes a transaction-scoped advisory lock only when something is pending, so one step runs at a time and
/// each sees what the previous one committed: its statement runs after the lock is granted, with a new snapshot (READ
/// COMMITTED). Pending rows of appends that have not committed are invisible and wait for a later step: a late commit
/// gets later positions and never lands below a position a reader has passed. Within a step, appends are numbered in
/// the order they inserted their pending row (an appender to a stream inserts it only after the previous appender to
/// that stream committed), so each stream's order is kept; the events of one append are contiguous.
/// Appenders never wait for the step, and the step never waits for an append.
/// </remarks>
internal sealed partial class PostgresEventStreamStore
{
    // "SVLG": the advisory lock class of the sequencer; the second key is the hash of the schema name.
    private const int SequencerLockClass = 0x53564C47;

    // Locks only when something is pending, and then marks the transaction (a transaction-local setting) so that the
    // step's statement, which sees what committed up to the moment it starts, numbers anything only under the lock.
    // It also turns JIT compilation off for the rest of the transaction, always: the planner cannot estimate the step
    // (generate_series over a column counts as 1,000 rows per pending append, and log_pending's estimate grows with its
    // pages), so once log_pending has held a few thousand rows the step's cost passes jit_above_cost and every step,
    // even an empty one, spends 50-700 ms compiling a few dozen functions, the sequencer falls further behind, and the
    // table grows: a trap. (Measured with the log-follow benchmark, docs/benchmarks.md.)
    private string LockIfPendingSql => field ??= $"""
        SELECT set_config('jit', 'off', true),
               (SELECT set_config('svrnty.sequencing', 'on', true)
                FROM (SELECT pg_advisory_xact_lock({SequencerLockClass}, hashtext($1)) FROM (SELECT 1 FROM {_schema}.log_pending LIMIT 1) pending) locked)
        """;

    /// <summary>$1 '$all', $2 the category prefix, $3 now. Returns how many appends it numbered.</summary>
    private string SequenceSql => field ??= $"""
        WITH taken AS (
            DELETE FROM {_schema}.log_pending WHERE current_setting('svrnty.sequencing', true) = 'on'
            RETURNING stream_name, first_offset, event_count, category, seq),
        ranked AS (
            SELECT t.*,
                   sum(t.event_count) OVER (ORDER BY t.seq) - t.event_count AS all_before,
                   sum(t.event_count) OVER (PARTITION BY t.category ORDER BY t.seq) - t.event_count AS category_before
            FROM taken t),
        added AS (
            SELECT $1::text AS log_name, sum(event_count)::bigint AS n FROM taken HAVING count(*) > 0
            UNION ALL
            SELECT $2 || category, sum(event_count)::bigint FROM taken WHERE category IS NOT NULL GROUP BY category),
        bases AS (
            SELECT a.log_name, a.n, coalesce(l.next_position, 0) AS base
            FROM added a LEFT JOIN {_schema}.logs l ON l.log_name = a.log_name),
        bumped AS (
            INSERT INTO {_schema}.logs AS l (log_name, next_position, updated_at)
            SELECT log_name, base + n, $3 FROM bases
            ON CONFLICT (log_name) DO UPDATE SET next_position = excluded.next_position, updated_at = excluded.updated_at),
        positioned AS (
            INSERT INTO {_schema}.event_positions (stream_name, stream_offset, all_position, category, category_position)
            SELECT r.stream_name, r.first_offset + g.i, a.base + r.all_before + g.i, r.category, c.base + r.category_before + g.i
            FROM ranked r
            CROSS JOIN LATERAL generate_series(0, r.event_count - 1) AS g(i)
            CROSS JOIN (SELECT base FROM bases WHERE log_name = $1) a
            LEFT JOIN bases c ON c.log_name = $2 || r.category)
        SELECT count(*) FROM taken
        """;

    // Every log query takes $1 the log's name and $2 its category (null for $all), then its own parameters.

    /// <summary>The position column and filter of a log: <c>$all</c>, or a category's log ($2: the category).</summary>
    // Built once per store: the SQL depends only on whether the log is $all or a category's.
    private string? _readAllSql, _readCategorySql, _findAllSql, _findCategorySql, _metadataAllSql, _metadataCategorySql;

    private string ReadLogSql(string? category) =>
        category is null ? _readAllSql ??= BuildReadLogSql(null) : _readCategorySql ??= BuildReadLogSql(category);

    private string FindLogPositionSql(string? category) =>
        category is null ? _findAllSql ??= BuildFindLogPositionSql(null) : _findCategorySql ??= BuildFindLogPositionSql(category);

    private string LogMetadataSql(string? category) =>
        category is null ? _metadataAllSql ??= BuildLogMetadataSql(null) : _metadataCategorySql ??= BuildLogMetadataSql(category);

    private static (string Position, string Filter) LogColumns(string? category) => category is null
        ? ("p.all_position", "true")
        : ("p.category_position", "p.category = $2");

    private string BuildReadLogSql(string? category)
    {
        var (position, filter) = LogColumns(category);
        return $"""
            SELECT {position}, e.stream_name, e.stream_offset, e.event_id, e.event_type, e.correlation_id, e.data, e.occurred_at,
                   e.created_at, e.trace_parent
            FROM {_schema}.event_positions p
            JOIN {_schema}.events e ON e.stream_name = p.stream_name AND e.stream_offset = p.stream_offset
            WHERE {filter} AND {position} >= $3
            ORDER BY {position} LIMIT $4
            """;
    }

    private string LogLengthSql => field ??= $"SELECT coalesce((SELECT next_position FROM {_schema}.logs WHERE log_name = $1), 0)";

    private string BuildFindLogPositionSql(string? category)
    {
        var (position, filter) = LogColumns(category);
        return $"""
            SELECT coalesce(
                (SELECT min({position}) FROM {_schema}.event_positions p
                 JOIN {_schema}.events e ON e.stream_name = p.stream_name AND e.stream_offset = p.stream_offset
                 WHERE {filter} AND e.created_at >= $3),
                (SELECT next_position FROM {_schema}.logs WHERE log_name = $1),
                0)
            """;
    }

    /// <summary>Length, oldest and newest retained positions with their acceptance times, and the retained count (a
    /// count of the log's rows: unlike a stream's, not O(1)).</summary>
    private string BuildLogMetadataSql(string? category)
    {
        var (position, filter) = LogColumns(category);
        var edge = $"""
            SELECT {position} AS position, e.created_at FROM {_schema}.event_positions p
            JOIN {_schema}.events e ON e.stream_name = p.stream_name AND e.stream_offset = p.stream_offset
            WHERE {filter} ORDER BY {position}
            """;
        return $"""
            SELECT coalesce((SELECT next_position FROM {_schema}.logs WHERE log_name = $1), 0),
                   o.position, o.created_at, n.position, n.created_at,
                   (SELECT count(*) FROM {_schema}.event_positions p WHERE {filter})
            FROM (SELECT 1) one
            LEFT JOIN LATERAL ({edge} LIMIT 1) o ON true
            LEFT JOIN LATERAL ({edge} DESC LIMIT 1) n ON true
            """;
    }

    private readonly SequencerSteps _steps = new();

    /// <summary>Runs the sequencer step, then <paramref name="query"/> on the same round trip; <paramref name="read"/>
    /// reads the query's result. Concurrent log reads of this store share their steps (<see cref="SequencerSteps"/>): a
    /// read that a step started after its arrival has already served runs its query alone. Repeating is safe: a step
    /// that committed leaves nothing pending.</summary>
    private Task<T> AfterSequencingAsync<T>(string operation, string logName, string query, Action<NpgsqlBatchCommand> parameters,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        return _steps.RunAsync(
            ct => executor.ExecuteAsync(operation, Repeat.Safe, (connection, c) => QueryAsync(connection, step: true, c), ct),
            ct => executor.ExecuteAsync(operation, Repeat.Safe, (connection, c) => QueryAsync(connection, step: false, c), ct),
            cancellationToken);

        async Task<T> QueryAsync(NpgsqlConnection connection, bool step, CancellationToken ct)
        {
            var batch = new NpgsqlBatch(connection);
            await using (batch.ConfigureAwait(false))
            {
                if (step)
                {
                    AddSequencerStep(batch);
                }

                var command = new NpgsqlBatchCommand(query).With(logName).With(LogStreams.CategoryLogged(logName), NpgsqlDbType.Text);
                parameters(command);
                batch.BatchCommands.Add(command);
                var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (step)
                    {
                        await reader.NextResultAsync(ct).ConfigureAwait(false);
                        await reader.NextResultAsync(ct).ConfigureAwait(false);
                    }

                    return await read(reader, ct).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The sequencer step alone (the background loop): how many appends it numbered. It does not go through
    /// <see cref="SequencerSteps"/>: a reader waiting there for the loop's step would then wait for a client round trip
    /// and a thread-pool hop before its own step, where queueing on the advisory lock resumes it on the server at once
    /// (measured: log-follow's p99 rose from 15 ms to 55-196 ms with it).</summary>
    internal Task<long> SequenceLogsAsync(CancellationToken cancellationToken) =>
        executor.ExecuteAsync("sequence_logs", Repeat.Safe, async (connection, ct) =>
        {
            var batch = new NpgsqlBatch(connection);
            await using (batch.ConfigureAwait(false))
            {
                AddSequencerStep(batch);
                var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.NextResultAsync(ct).ConfigureAwait(false);
                    return await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetInt64(0) : 0L;
                }
            }
        }, cancellationToken);

    /// <summary>Past this size (8 MiB) the upkeep vacuum also truncates <c>log_pending</c>'s empty tail: it grew that
    /// large only while something held its dead rows back (a long transaction), and the sequencer step scans it all.</summary>
    internal const long TruncatePendingAbovePages = 1024;

    /// <summary>
    /// Vacuums <c>log_pending</c> (migration 004): its dead rows, one per append numbered since the last vacuum, are what
    /// every sequencer step would otherwise read. It skips the table rather than wait when another vacuum holds it, and
    /// truncates only past <see cref="TruncatePendingAbovePages"/>, since truncating locks out appends for a moment. A
    /// role that does not own the table gets a warning from the server and no vacuum: autovacuum's settings then bound the
    /// table instead. Returns the table's size in pages before the vacuum.
    /// </summary>
    internal Task<long> VacuumLogPendingAsync(CancellationToken cancellationToken) =>
        executor.ExecuteAsync("vacuum_log_pending", Repeat.Safe, async (connection, ct) =>
        {
            long pages;
            var size = new NpgsqlCommand("SELECT pg_relation_size(($1 || '.log_pending')::regclass) / current_setting('block_size')::bigint", connection);
            await using (size.ConfigureAwait(false))
            {
                size.With(_schema);
                pages = (long)(await size.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            }

            var truncate = pages > TruncatePendingAbovePages ? "true" : "false";
            var vacuum = new NpgsqlCommand($"VACUUM (SKIP_LOCKED, TRUNCATE {truncate}) {_schema}.log_pending", connection);
            await using (vacuum.ConfigureAwait(false))
            {
                await vacuum.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return pages;
        }, cancellationToken);

    private void AddSequencerStep(NpgsqlBatch batch)
    {
        batch.BatchCommands.Add(new NpgsqlBatchCommand(LockIfPendingSql).With(executor.Database.SchemaName));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SequenceSql).With(LogStreams.All).With(LogStreams.CategoryPrefix).With(Now()));
    }

    private Task<IReadOnlyList<StoredEvent>> ReadLogAsync(string logName, long fromPosition, int maxCount, CancellationToken cancellationToken)
    {
        var category = LogStreams.CategoryLogged(logName);
        return AfterSequencingAsync("read", logName, ReadLogSql(category),
            command => command.With(fromPosition).With((long)maxCount),
            async (reader, ct) =>
            {
                var events = new List<StoredEvent>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    events.Add(ReadEvent(reader));
                }

                return (IReadOnlyList<StoredEvent>)events;
            }, cancellationToken);
    }

    private Task<long> GetLogLengthAsync(string logName, CancellationToken cancellationToken) =>
        AfterSequencingAsync("length", logName, LogLengthSql, _ => { }, ReadScalarAsync, cancellationToken);

    private Task<long> FindLogPositionAsync(string logName, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        var category = LogStreams.CategoryLogged(logName);
        return AfterSequencingAsync("find_offset", logName, FindLogPositionSql(category),
            command => command.With(timestamp.Utc()), ReadScalarAsync, cancellationToken);
    }

    private Task<StreamMetadata> GetLogMetadataAsync(string logName, CancellationToken cancellationToken)
    {
        var category = LogStreams.CategoryLogged(logName);
        return AfterSequencingAsync("metadata", logName, LogMetadataSql(category), _ => { },
            async (reader, ct) =>
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                var length = reader.GetInt64(0);
                long? oldest = reader.IsDBNull(1) ? null : reader.GetInt64(1);
                long? newest = reader.IsDBNull(3) ? null : reader.GetInt64(3);
                return new StreamMetadata
                {
                    StreamName = logName,
                    Exists = length > 0,
                    Length = length,
                    RetainedCount = reader.GetInt64(5),
                    OldestEventOffset = oldest,
                    NewestEventOffset = newest,
                    OldestEventTimestamp = oldest is null ? null : reader.GetTimestamp(2),
                    NewestEventTimestamp = newest is null ? null : reader.GetTimestamp(4),
                };
            }, cancellationToken);
    }

    private static async Task<long> ReadScalarAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetInt64(0) : 0L;
}
