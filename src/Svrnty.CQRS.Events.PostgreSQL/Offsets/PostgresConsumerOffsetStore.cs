using Dapper;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Offsets;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.PostgreSQL.Offsets;

/// <summary>The PostgreSQL <see cref="IConsumerOffsetStore"/>: one upsert per commit, never moving a group backwards.</summary>
internal sealed class PostgresConsumerOffsetStore : ConsumerOffsetStoreBase
{
    private readonly SchemaVersionGuard _guard;
    private readonly TimeProvider _time;
    private readonly string _commitSql;
    private readonly string _resetSql;
    private readonly string _getSql;
    private readonly string _listSql;

    public PostgresConsumerOffsetStore(PostgresDatabase database, SchemaVersionGuard guard, TimeProvider time)
    {
        _guard = guard;
        _time = time;
        var s = database.Schema;
        const string upsert = """
            (stream_name, consumer_group, next_offset, updated_at) VALUES (@streamName, @consumerGroup, @nextOffset, @now)
            ON CONFLICT (stream_name, consumer_group) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
            """;
        _commitSql = $"INSERT INTO {s}.consumer_offsets AS o {upsert} WHERE o.next_offset < excluded.next_offset";
        _resetSql = $"INSERT INTO {s}.consumer_offsets AS o {upsert}";
        _getSql = $"SELECT next_offset FROM {s}.consumer_offsets WHERE stream_name = @streamName AND consumer_group = @consumerGroup";
        _listSql = $"""
            SELECT consumer_group AS ConsumerGroup, next_offset AS NextOffset, updated_at AS UpdatedAt
            FROM {s}.consumer_offsets WHERE stream_name = @streamName ORDER BY consumer_group COLLATE "C"
            """;
    }

    protected override async Task SetOffsetCoreAsync(string streamName, string consumerGroup, long nextOffset, bool onlyForward,
        CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(onlyForward ? _commitSql : _resetSql,
                new { streamName, consumerGroup, nextOffset, now = _time.GetUtcNow() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    protected override async Task<long?> GetOffsetCoreAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(_getSql, new { streamName, consumerGroup },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    protected override async Task<IReadOnlyList<ConsumerOffset>> GetOffsetsCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(_listSql, new { streamName },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(r => new ConsumerOffset
            {
                StreamName = streamName,
                ConsumerGroup = r.ConsumerGroup,
                NextOffset = r.NextOffset,
                UpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc)),
            }).ToArray();
        }
    }

    private sealed record Row(string ConsumerGroup, long NextOffset, DateTime UpdatedAt);
}
