using Npgsql;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>Checks that PostgreSQL answers and that the schema is at the version this library needs.</summary>
internal sealed class PostgresHealthProbe(PostgresDatabase database) : IEventStoreHealthProbe
{
    public async Task<EventStoreHealth> ProbeAsync(CancellationToken cancellationToken)
    {
        var expected = MigrationScripts.LatestVersion;
        try
        {
            var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var version = await SchemaVersionGuard.ReadVersionAsync(connection, database, cancellationToken).ConfigureAwait(false);
                var data = new Dictionary<string, object> { ["schema"] = database.SchemaName, ["schemaVersion"] = version, ["expectedSchemaVersion"] = expected };
                return version >= expected
                    ? new EventStoreHealth(true, true, $"PostgreSQL reachable; schema \"{database.SchemaName}\" at version {version}.", data)
                    : new EventStoreHealth(true, false, $"Schema \"{database.SchemaName}\" is at version {version}; version {expected} is needed: run the migrations.", data);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The message of an Npgsql error names the failure, never the connection string or password.
            return new EventStoreHealth(false, false, $"PostgreSQL is not reachable: {e.Message}",
                new Dictionary<string, object> { ["schema"] = database.SchemaName, ["error"] = e.GetType().Name });
        }
    }
}
