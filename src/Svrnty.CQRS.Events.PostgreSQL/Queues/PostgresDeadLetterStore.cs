using Dapper;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.Queues;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.PostgreSQL.Queues;

/// <summary>The PostgreSQL <see cref="IDeadLetterStore"/>.</summary>
internal sealed class PostgresDeadLetterStore : DeadLetterStoreBase
{
    private readonly PostgresExecutor _executor;
    private readonly EventSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly string _readSql;
    private readonly string _countSql;
    private readonly string _requeueSql;
    private readonly string _purgeSql;
    private readonly string? _channel;

    public PostgresDeadLetterStore(PostgresExecutor executor, EventSerializer serializer, TimeProvider time)
    {
        _executor = executor;
        _serializer = serializer;
        _time = time;
        var s = executor.Database.Schema;
        _readSql = $"""
            SELECT event_id AS EventId, event_type AS EventType, correlation_id AS CorrelationId, data AS Data,
                   occurred_at AS OccurredAt, delivery_count AS DeliveryCount, reason AS Reason, dead_lettered_at AS DeadLetteredAt
            FROM {s}.dead_letters WHERE queue_name = @streamName ORDER BY seq LIMIT @maxCount
            """;
        _countSql = $"SELECT count(*) FROM {s}.dead_letters WHERE queue_name = @streamName";
        // One statement: the dead letter leaves and comes back as a fresh message (unless that id is pending again), and
        // with notifications on, idle consumers of the queue are woken.
        _requeueSql = $"""
            WITH dead AS (
                DELETE FROM {s}.dead_letters WHERE queue_name = @streamName AND event_id = @eventId RETURNING *),
            requeued AS (
                INSERT INTO {s}.queue_messages (queue_name, event_id, event_type, correlation_id, data, occurred_at, enqueued_at, visible_at, trace_parent)
                SELECT queue_name, event_id, event_type, correlation_id, data, occurred_at, @now, @now, trace_parent FROM dead
                ON CONFLICT (queue_name, event_id) DO NOTHING
                RETURNING queue_name)
            SELECT count(*){(executor.Database.NotificationChannel is null ? "" : ", (SELECT pg_notify(@channel, 'q' || @streamName) FROM requeued)")} FROM dead
            """;
        _channel = executor.Database.NotificationChannel;
        _purgeSql = $"DELETE FROM {s}.dead_letters WHERE queue_name = @streamName";
    }

    protected override Task<IReadOnlyList<DeadLetter>> ReadCoreAsync(string streamName, int maxCount, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("dead_letters_read", Repeat.Safe, async (connection, ct) =>
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(_readSql, new { streamName, maxCount = (long)maxCount },
                cancellationToken: ct)).ConfigureAwait(false);
            return (IReadOnlyList<DeadLetter>)rows.Select(r => new DeadLetter
            {
                StreamName = streamName,
                EventId = r.EventId,
                Event = _serializer.Deserialize(r.EventType, r.Data, r.EventId, r.CorrelationId, Utc(r.OccurredAt)),
                EventType = r.EventType,
                Json = r.Data,
                DeliveryCount = r.DeliveryCount,
                Reason = r.Reason,
                DeadLetteredAt = Utc(r.DeadLetteredAt),
            }).ToArray();
        }, cancellationToken);
    }

    protected override Task<long> CountCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("dead_letters_count", Repeat.Safe, async (connection, ct) =>
        {
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition(_countSql, new { streamName },
                cancellationToken: ct)).ConfigureAwait(false);
        }, cancellationToken);
    }

    protected override Task<bool> RequeueCoreAsync(string streamName, string eventId, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("dead_letters_requeue", Repeat.Safe, async (connection, ct) =>
        {
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition(_requeueSql,
                new { streamName, eventId, now = _time.GetUtcNow(), channel = _channel }, cancellationToken: ct)).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    protected override Task<long> PurgeCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("dead_letters_purge", Repeat.Safe, async (connection, ct) =>
        {
            return (long)await connection.ExecuteAsync(new CommandDefinition(_purgeSql, new { streamName },
                cancellationToken: ct)).ConfigureAwait(false);
        }, cancellationToken);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed record Row(string EventId, string EventType, string? CorrelationId, string Data, DateTime OccurredAt,
        int DeliveryCount, string Reason, DateTime DeadLetteredAt);
}
