using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Resilience;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

internal sealed partial class PostgresEventStreamStore
{
    private readonly string _statisticsSql;

    protected override Task<QueueStatistics> GetQueueStatisticsCoreAsync(string streamName, CancellationToken cancellationToken)
    {
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
