using Dapper;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Execution;

namespace Svrnty.CQRS.Events.PostgreSQL.Consumers;

/// <summary>The PostgreSQL <see cref="IParkedEventStore"/>.</summary>
internal sealed class PostgresParkedEventStore : ParkedEventStoreBase
{
    private readonly PostgresExecutor _executor;
    private readonly string _parkSql;
    private readonly string _readSql;
    private readonly string _deleteSql;

    public PostgresParkedEventStore(PostgresExecutor executor)
    {
        _executor = executor;
        var s = executor.Database.Schema;
        _parkSql = $"""
            INSERT INTO {s}.parked_events (stream_name, consumer_group, stream_offset, event_id, attempts, error, parked_at)
            VALUES (@StreamName, @ConsumerGroup, @Offset, @EventId, @Attempts, @Error, @ParkedAt)
            ON CONFLICT (stream_name, consumer_group, stream_offset) DO UPDATE
            SET event_id = excluded.event_id, attempts = excluded.attempts, error = excluded.error, parked_at = excluded.parked_at
            """;
        _readSql = $"""
            SELECT stream_offset AS Offset, event_id AS EventId, attempts AS Attempts, error AS Error, parked_at AS ParkedAt
            FROM {s}.parked_events WHERE stream_name = @streamName AND consumer_group = @consumerGroup
            ORDER BY stream_offset LIMIT @maxCount
            """;
        _deleteSql = $"DELETE FROM {s}.parked_events WHERE stream_name = @streamName AND consumer_group = @consumerGroup AND stream_offset = @offset";
    }

    protected override Task ParkCoreAsync(ParkedEvent parkedEvent, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("park", Repeat.Safe, async (connection, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(_parkSql, new
            {
                parkedEvent.StreamName,
                parkedEvent.ConsumerGroup,
                parkedEvent.Offset,
                parkedEvent.EventId,
                parkedEvent.Attempts,
                parkedEvent.Error,
                ParkedAt = parkedEvent.ParkedAt.ToUniversalTime(),
            }, cancellationToken: ct)).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    protected override Task<IReadOnlyList<ParkedEvent>> ReadCoreAsync(string streamName, string consumerGroup, int maxCount,
        CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("parked_read", Repeat.Safe, async (connection, ct) =>
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(_readSql, new { streamName, consumerGroup, maxCount = (long)maxCount },
                cancellationToken: ct)).ConfigureAwait(false);
            return (IReadOnlyList<ParkedEvent>)rows.Select(r => new ParkedEvent
            {
                StreamName = streamName,
                ConsumerGroup = consumerGroup,
                Offset = r.Offset,
                EventId = r.EventId,
                Attempts = r.Attempts,
                Error = r.Error,
                ParkedAt = new DateTimeOffset(DateTime.SpecifyKind(r.ParkedAt, DateTimeKind.Utc)),
            }).ToArray();
        }, cancellationToken);
    }

    protected override Task<bool> DeleteCoreAsync(string streamName, string consumerGroup, long offset, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("parked_delete", Repeat.Safe, async (connection, ct) =>
        {
            return await connection.ExecuteAsync(new CommandDefinition(_deleteSql, new { streamName, consumerGroup, offset },
                cancellationToken: ct)).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    private sealed record Row(long Offset, string EventId, int Attempts, string Error, DateTime ParkedAt);
}
