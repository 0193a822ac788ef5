using Dapper;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Configuration;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.PostgreSQL.Configuration;

/// <summary>The PostgreSQL <see cref="IStreamConfigurationStore"/>.</summary>
internal sealed class PostgresStreamConfigurationStore : StreamConfigurationStoreBase
{
    private readonly SchemaVersionGuard _guard;
    private readonly TimeProvider _time;
    private readonly string _setSql;
    private readonly string _getSql;

    public PostgresStreamConfigurationStore(PostgresDatabase database, SchemaVersionGuard guard, TimeProvider time)
    {
        _guard = guard;
        _time = time;
        var s = database.Schema;
        _setSql = $"""
            INSERT INTO {s}.stream_configurations (stream_name, max_delivery_attempts, updated_at) VALUES (@StreamName, @MaxDeliveryAttempts, @now)
            ON CONFLICT (stream_name) DO UPDATE SET max_delivery_attempts = excluded.max_delivery_attempts, updated_at = excluded.updated_at
            """;
        _getSql = $"SELECT max_delivery_attempts FROM {s}.stream_configurations WHERE stream_name = @streamName";
    }

    protected override async Task SetCoreAsync(StreamConfiguration configuration, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(_setSql,
                new { configuration.StreamName, configuration.MaxDeliveryAttempts, now = _time.GetUtcNow() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    protected override async Task<StreamConfiguration?> GetCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var connection = await _guard.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var attempts = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(_getSql, new { streamName },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return attempts is { } value ? new StreamConfiguration { StreamName = streamName, MaxDeliveryAttempts = value } : null;
        }
    }
}
