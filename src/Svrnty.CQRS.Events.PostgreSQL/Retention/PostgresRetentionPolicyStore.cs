using Dapper;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.PostgreSQL.Retention;

/// <summary>The PostgreSQL <see cref="IRetentionPolicyStore"/>.</summary>
internal sealed class PostgresRetentionPolicyStore : RetentionPolicyStoreBase
{
    private readonly PostgresExecutor _executor;
    private readonly TimeProvider _time;
    private readonly string _setSql;
    private readonly string _getSql;
    private readonly string _listSql;
    private readonly string _deleteSql;

    public PostgresRetentionPolicyStore(PostgresExecutor executor, TimeProvider time)
    {
        _executor = executor;
        _time = time;
        var s = executor.Database.Schema;
        _setSql = $"""
            INSERT INTO {s}.retention_policies (stream_name, max_age, max_event_count, updated_at)
            VALUES (@StreamName, @MaxAge, @MaxEventCount, @now)
            ON CONFLICT (stream_name) DO UPDATE
            SET max_age = excluded.max_age, max_event_count = excluded.max_event_count, updated_at = excluded.updated_at
            """;
        const string columns = "stream_name AS StreamName, max_age AS MaxAge, max_event_count AS MaxEventCount";
        _getSql = $"SELECT {columns} FROM {s}.retention_policies WHERE stream_name = @streamName";
        _listSql = $"SELECT {columns} FROM {s}.retention_policies ORDER BY stream_name COLLATE \"C\"";
        _deleteSql = $"DELETE FROM {s}.retention_policies WHERE stream_name = @streamName";
    }

    protected override Task SetCoreAsync(RetentionPolicy policy, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("retention_policy_set", Repeat.Safe, async (connection, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(_setSql,
                new { policy.StreamName, policy.MaxAge, policy.MaxEventCount, now = _time.GetUtcNow() },
                cancellationToken: ct)).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    protected override Task<RetentionPolicy?> GetCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("retention_policy_get", Repeat.Safe, async (connection, ct) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(_getSql, new { streamName },
                cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToPolicy();
        }, cancellationToken);
    }

    protected override Task<IReadOnlyList<RetentionPolicy>> ListCoreAsync(CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("retention_policy_list", Repeat.Safe, async (connection, ct) =>
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(_listSql, cancellationToken: ct)).ConfigureAwait(false);
            return (IReadOnlyList<RetentionPolicy>)rows.Select(r => r.ToPolicy()).ToArray();
        }, cancellationToken);
    }

    protected override Task<bool> DeleteCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("retention_policy_delete", Repeat.Safe, async (connection, ct) =>
        {
            return await connection.ExecuteAsync(new CommandDefinition(_deleteSql, new { streamName },
                cancellationToken: ct)).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    private sealed record Row(string StreamName, TimeSpan? MaxAge, long? MaxEventCount)
    {
        public RetentionPolicy ToPolicy() => new() { StreamName = StreamName, MaxAge = MaxAge, MaxEventCount = MaxEventCount };
    }
}
