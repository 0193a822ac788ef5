using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Resilience;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

internal sealed partial class PostgresEventStreamStore
{
    private string? _statisticsSql;

    protected override Task<QueueStatistics> GetQueueStatisticsCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var s = _database.Schema;
        _statisticsSql ??= $"""
            SELECT count(*) FILTER (WHERE visible_at <= $2), count(*) FILTER (WHERE visible_at > $2), min(enqueued_at),
                   (SELECT count(*) FROM {s}.dead_letters WHERE queue_name = $1)
            FROM {s}.queue_messages WHERE queue_name = $1
            """;
        return RunAsync("queue_statistics", Repeat.Safe, _statisticsSql, async (command, ct) =>
        {
            command.With(streamName).With(Now());
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                return new QueueStatistics
                {
                    StreamName = streamName,
                    Visible = reader.GetInt64(0),
                    InFlight = reader.GetInt64(1),
                    OldestPendingEnqueuedAt = reader.IsDBNull(2) ? null : reader.GetTimestamp(2),
                    DeadLettered = reader.GetInt64(3),
                };
            }
        }, cancellationToken);
    }
}
