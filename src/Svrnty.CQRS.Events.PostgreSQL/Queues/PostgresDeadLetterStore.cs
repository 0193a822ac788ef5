using Dapper;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.Queues;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.PostgreSQL.Queues;

/// <summary>The PostgreSQL <see cref="IDeadLetterStore"/>.</summary>
internal sealed class PostgresDeadLetterStore : DeadLetterStoreBase
{
    private readonly SchemaVersionGuard _guard;
    private readonly EventSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly string _readSql;
    private readonly string _countSql;
    private readonly string _requeueSql;
    private readonly string _purgeSql;

    public PostgresDeadLetterStore(PostgresDatabase database, SchemaVersionGuard guard, EventSerializer serializer, TimeProvider time)
    {
        _guard = guard;
        _serializer = serializer;
        _time = time;
        var s = database.Schema;
        _readSql = $"""
            SELECT event_id AS EventId, event_type AS EventType, correlation_id AS CorrelationId, data::text AS Data,
                   occurred_at AS OccurredAt, delivery_count AS DeliveryCount, reason AS Reason, dead_lettered_at AS DeadLetteredAt
            FROM {s}.dead_letters WHERE queue_name = @streamName ORDER BY seq LIMIT @maxCount
            """;
        _countSql = $"SELECT count(*) FROM {s}.dead_letters WHERE queue_name = @streamName";
        // One statement: the dead letter leaves and comes back as a fresh message (unless that id is pending again).
        _requeueSql = $"""
            WITH dead AS (
                DELETE FROM {s}.dead_letters WHERE queue_name = @streamName AND event_id = @eventId RETURNING *),
            requeued AS (
                INSERT INTO {s}.queue_messages (queue_name, event_id, event_type, correlation_id, data, occurred_at, enqueued_at, visible_at, trace_parent)
                SELECT queue_name, event_id, event_type, correlation_id, data, occurred_at, @now, @now, trace_parent FROM dead
                ON CONFLICT (queue_name, event_id) DO NOTHING)
            SELECT count(*) FROM dead
            """;
        _purgeSql = $"DELETE FROM {s}.dead_letters WHERE queue_name = @streamName";
    }

    protected override async Task<IReadOnlyList<DeadLetter>> ReadCoreAsync(string streamName, int maxCount, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(_readSql, new { streamName, maxCount = (long)maxCount },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(r => new DeadLetter
            {
                StreamName = streamName,
                EventId = r.EventId,
                Event = _serializer.Deserialize(r.EventType, r.Data, r.EventId, r.CorrelationId, Utc(r.OccurredAt)),
                DeliveryCount = r.DeliveryCount,
                Reason = r.Reason,
                DeadLetteredAt = Utc(r.DeadLetteredAt),
            }).ToArray();
        }
    }

    protected override async Task<long> CountCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition(_countSql, new { streamName },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    protected override async Task<bool> RequeueCoreAsync(string streamName, string eventId, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition(_requeueSql,
                new { streamName, eventId, now = _time.GetUtcNow() }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
        }
    }

    protected override async Task<long> PurgeCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await connection.ExecuteAsync(new CommandDefinition(_purgeSql, new { streamName },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed record Row(string EventId, string EventType, string? CorrelationId, string Data, DateTime OccurredAt,
        int DeliveryCount, string Reason, DateTime DeadLetteredAt);
}
