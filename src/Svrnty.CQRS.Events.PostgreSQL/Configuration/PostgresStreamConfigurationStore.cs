using Dapper;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Configuration;
using Svrnty.CQRS.Events.PostgreSQL.Execution;

namespace Svrnty.CQRS.Events.PostgreSQL.Configuration;

/// <summary>The PostgreSQL <see cref="IStreamConfigurationStore"/>.</summary>
internal sealed class PostgresStreamConfigurationStore : StreamConfigurationStoreBase
{
    private readonly PostgresExecutor _executor;
    private readonly TimeProvider _time;
    private readonly string _setSql;
    private readonly string _getSql;

    public PostgresStreamConfigurationStore(PostgresExecutor executor, TimeProvider time)
    {
        _executor = executor;
        _time = time;
        var s = executor.Database.Schema;
        _setSql = $"""
            INSERT INTO {s}.stream_configurations (stream_name, max_delivery_attempts, updated_at) VALUES (@StreamName, @MaxDeliveryAttempts, @now)
            ON CONFLICT (stream_name) DO UPDATE SET max_delivery_attempts = excluded.max_delivery_attempts, updated_at = excluded.updated_at
            """;
        _getSql = $"SELECT max_delivery_attempts FROM {s}.stream_configurations WHERE stream_name = @streamName";
    }

    protected override Task SetCoreAsync(StreamConfiguration configuration, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("configuration_set", Repeat.Safe, async (connection, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(_setSql,
                new { configuration.StreamName, configuration.MaxDeliveryAttempts, now = _time.GetUtcNow() },
                cancellationToken: ct)).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    protected override Task<StreamConfiguration?> GetCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        return _executor.ExecuteAsync("configuration_get", Repeat.Safe, async (connection, ct) =>
        {
            var attempts = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(_getSql, new { streamName },
                cancellationToken: ct)).ConfigureAwait(false);
            return attempts is { } value ? new StreamConfiguration { StreamName = streamName, MaxDeliveryAttempts = value } : null;
        }, cancellationToken);
    }
}
