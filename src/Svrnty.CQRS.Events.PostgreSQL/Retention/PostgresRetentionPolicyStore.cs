using Dapper;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.PostgreSQL.Retention;

/// <summary>The PostgreSQL <see cref="IRetentionPolicyStore"/>.</summary>
internal sealed class PostgresRetentionPolicyStore : RetentionPolicyStoreBase
{
    private readonly SchemaVersionGuard _guard;
    private readonly TimeProvider _time;
    private readonly string _setSql;
    private readonly string _getSql;
    private readonly string _listSql;
    private readonly string _deleteSql;

    public PostgresRetentionPolicyStore(PostgresDatabase database, SchemaVersionGuard guard, TimeProvider time)
    {
        _guard = guard;
        _time = time;
        var s = database.Schema;
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

    protected override async Task SetCoreAsync(RetentionPolicy policy, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(_setSql,
                new { policy.StreamName, policy.MaxAge, policy.MaxEventCount, now = _time.GetUtcNow() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    protected override async Task<RetentionPolicy?> GetCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(_getSql, new { streamName },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return row?.ToPolicy();
        }
    }

    protected override async Task<IReadOnlyList<RetentionPolicy>> ListCoreAsync(CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(_listSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(r => r.ToPolicy()).ToArray();
        }
    }

    protected override async Task<bool> DeleteCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await connection.ExecuteAsync(new CommandDefinition(_deleteSql, new { streamName },
                cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
        }
    }

    private sealed record Row(string StreamName, TimeSpan? MaxAge, long? MaxEventCount)
    {
        public RetentionPolicy ToPolicy() => new() { StreamName = StreamName, MaxAge = MaxAge, MaxEventCount = MaxEventCount };
    }
}
