using Dapper;

namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>
/// Checks once, before the first operation, that the schema is at the version this library needs, so that with
/// <c>AutoMigrate = false</c> an out-of-date schema fails with a clear "run migrations" error instead of a missing
/// table. The executor (<c>Execution/PostgresExecutor</c>) runs it before every operation; after a successful check (or
/// a migration) it costs nothing.
/// </summary>
internal sealed class SchemaVersionGuard(PostgresDatabase database)
{
    private volatile bool _current;

    public void MarkCurrent() => _current = true;

    public ValueTask EnsureCurrentAsync(CancellationToken cancellationToken) =>
        _current ? ValueTask.CompletedTask : CheckAsync(cancellationToken);

    private async ValueTask CheckAsync(CancellationToken cancellationToken)
    {
        var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var version = await ReadVersionAsync(connection, database, cancellationToken).ConfigureAwait(false);
            if (version < MigrationScripts.LatestVersion)
            {
                throw new MigrationException(
                    $"The event-streaming schema \"{database.SchemaName}\" is at version {version} but this version of Svrnty.CQRS.Events.PostgreSQL needs version {MigrationScripts.LatestVersion}. " +
                    "Run the migrations: set AutoMigrate = true, call DatabaseMigrator.MigrateAsync(), or have a DBA apply DatabaseMigrator.GenerateScript() (see MIGRATION-GUIDE.md).");
            }

            _current = true;
        }
    }

    /// <summary>The schema's applied version: 0 when it has no <c>schema_version</c> table yet.</summary>
    internal static async Task<int> ReadVersionAsync(Npgsql.NpgsqlConnection connection, PostgresDatabase database, CancellationToken cancellationToken)
    {
        var table = $"{database.Schema}.schema_version";
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass(@table) IS NOT NULL", new { table }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return !exists ? 0 : await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            $"SELECT max(version) FROM {table}", cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
    }
}
