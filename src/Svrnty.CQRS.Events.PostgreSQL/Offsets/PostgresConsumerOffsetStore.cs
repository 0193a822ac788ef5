using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Offsets;
using Svrnty.CQRS.Events.PostgreSQL.Execution;

namespace Svrnty.CQRS.Events.PostgreSQL.Offsets;

/// <summary>The PostgreSQL <see cref="IConsumerOffsetStore"/>: one upsert per commit, never moving a group backwards.
/// Reading a group's offset (as a consumer does when it starts) and committing one also read the stream's length, and
/// log a warning when the offset is beyond it: after a failover to an asynchronous standby that lacked the last appends, the stream is
/// shorter than what the group had committed, and the offsets it skips will be given to new events.</summary>
internal sealed class PostgresConsumerOffsetStore : ConsumerOffsetStoreBase
{
    private readonly PostgresExecutor _executor;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _commitSql;
    private readonly string _fencedCommitSql;
    private readonly string _resetSql;
    private readonly string _getSql;
    private readonly string _listSql;

    public PostgresConsumerOffsetStore(PostgresExecutor executor, TimeProvider time, ILogger<PostgresConsumerOffsetStore> logger)
    {
        _executor = executor;
        _logger = logger;
        _time = time;
        var s = executor.Database.Schema;
        _commitSql = UpsertStatement(s, onlyForward: true);
        _resetSql = UpsertStatement(s, onlyForward: false);
        _fencedCommitSql = FencedCommitStatement(s);
        // The stream's length beside the offset (null for log streams, whose length lives elsewhere).
        _getSql = $"""
            SELECT o.next_offset AS NextOffset, CASE WHEN left(o.stream_name, 1) = '$' THEN NULL ELSE coalesce(st.next_offset, 0) END AS StreamLength
            FROM {s}.consumer_offsets o LEFT JOIN {s}.streams st ON st.stream_name = o.stream_name
            WHERE o.stream_name = @streamName AND o.consumer_group = @consumerGroup
            """;
        _listSql = $"""
            SELECT consumer_group AS ConsumerGroup, next_offset AS NextOffset, updated_at AS UpdatedAt
            FROM {s}.consumer_offsets WHERE stream_name = @streamName ORDER BY consumer_group COLLATE "C"
            """;
    }

    /// <summary>The commit (<paramref name="onlyForward"/>: never moves the group backwards) or the reset: $1 stream, $2
    /// group, $3 next offset, $4 now. Returns one row (1 when written, else 0), so it is one result of a batch.</summary>
    internal static string UpsertStatement(string schema, bool onlyForward) => $"""
        WITH written AS (
            INSERT INTO {schema}.consumer_offsets AS o (stream_name, consumer_group, next_offset, updated_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (stream_name, consumer_group) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
            {(onlyForward ? "WHERE o.next_offset < excluded.next_offset" : "")}
            RETURNING 1)
        SELECT count(*) FROM written
        """;

    /// <summary>Marks the error of a fenced commit whose epoch is no longer current.</summary>
    internal const string FencedMarker = "svrnty:fenced:";

    /// <summary>
    /// The hosted consumer's commit, fenced: $1 stream, $2 group, $3 next offset, $4 now, $5 the holder's epoch. The
    /// group's epoch row is read <c>FOR SHARE</c> with the epoch as a condition: a takeover (which updates the row) waits
    /// for a commit in flight, and a commit after a takeover finds the newer epoch (read committed re-checks the
    /// condition on the updated row) and writes nothing. Then the statement fails with <see cref="FencedMarker"/> (the
    /// cast reads the CTE, so the planner cannot fold it into a constant), which rolls back a batch it is part of.
    /// Returns one row, so it is one result of a batch.
    /// </summary>
    internal static string FencedCommitStatement(string schema) => $"""
        WITH fence AS (
            SELECT epoch FROM {schema}.consumer_group_epochs WHERE stream_name = $1 AND consumer_group = $2 AND epoch = $5 FOR SHARE),
        written AS (
            INSERT INTO {schema}.consumer_offsets AS o (stream_name, consumer_group, next_offset, updated_at) SELECT $1, $2, $3, $4 FROM fence
            ON CONFLICT (stream_name, consumer_group) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
            WHERE o.next_offset < excluded.next_offset
            RETURNING 1)
        SELECT coalesce((SELECT 1 FROM fence), (SELECT ('{FencedMarker}' || $5::text || ':' || count(*))::int FROM fence))
        """;

    /// <summary>Whether <paramref name="e"/> is the failure of <see cref="FencedCommitStatement"/>.</summary>
    internal static bool IsFenced(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.InvalidTextRepresentation && e.MessageText.Contains(FencedMarker, StringComparison.Ordinal);

    // A fenced commit is safe to repeat too: it never moves a group backwards, and a stale epoch stays stale.
    protected override async Task CommitFencedCoreAsync(string streamName, string consumerGroup, long nextOffset, long epoch,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        try
        {
            await _executor.RunAsync("commit_offset", Repeat.Safe, _fencedCommitSql, async (command, ct) =>
            {
                command.With(streamName).With(consumerGroup).With(nextOffset).With(now).With(epoch);
                return await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (IsFenced(e))
        {
            throw new ConsumerGroupFencedException(streamName, consumerGroup, epoch);
        }
    }

    // Every statement here is safe to repeat: a commit never moves a group backwards, a reset sets a value.
    protected override Task SetOffsetCoreAsync(string streamName, string consumerGroup, long nextOffset, bool onlyForward,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        return _executor.RunAsync(onlyForward ? "commit_offset" : "reset_offset", Repeat.Safe, onlyForward ? _commitSql : _resetSql,
            async (command, ct) =>
            {
                command.With(streamName).With(consumerGroup).With(nextOffset).With(now);
                return await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }, cancellationToken);
    }

    protected override Task<long?> GetOffsetCoreAsync(string streamName, string consumerGroup, CancellationToken cancellationToken) =>
        _executor.ExecuteAsync("get_offset", Repeat.Safe, async (connection, ct) =>
        {
            var row = await connection.QueryFirstOrDefaultAsync<OffsetRow>(new CommandDefinition(_getSql, new { streamName, consumerGroup },
                cancellationToken: ct)).ConfigureAwait(false);
            if (row is null)
            {
                return (long?)null;
            }

            WarnIfBeyondEnd(streamName, consumerGroup, row.NextOffset, row.StreamLength);
            return row.NextOffset;
        }, cancellationToken);

    /// <summary>Logs (warning 1210) a committed offset beyond the stream's end: the events the group handled there are
    /// gone (a failover to a standby that lacked them), and new events will take their offsets unseen by the group.</summary>
    internal void WarnIfBeyondEnd(string streamName, string consumerGroup, long nextOffset, long? streamLength)
    {
        if (streamLength is { } length && nextOffset > length)
        {
            Log.OffsetBeyondStreamEnd(_logger, consumerGroup, streamName, nextOffset, length, nextOffset - length);
        }
    }

    protected override Task<IReadOnlyList<ConsumerOffset>> GetOffsetsCoreAsync(string streamName, CancellationToken cancellationToken) =>
        _executor.ExecuteAsync("get_offsets", Repeat.Safe, async (connection, ct) =>
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(_listSql, new { streamName }, cancellationToken: ct)).ConfigureAwait(false);
            return (IReadOnlyList<ConsumerOffset>)rows.Select(r => new ConsumerOffset
            {
                StreamName = streamName,
                ConsumerGroup = r.ConsumerGroup,
                NextOffset = r.NextOffset,
                UpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc)),
            }).ToArray();
        }, cancellationToken);

    private sealed record OffsetRow(long NextOffset, long? StreamLength);

    private sealed record Row(string ConsumerGroup, long NextOffset, DateTime UpdatedAt);
}
