using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>
/// Creates and upgrades the event-streaming schema with the embedded <c>Migrations/NNN_Name.sql</c> scripts: pending
/// scripts are applied in order, each in its own transaction, and recorded in <c>schema_version</c>. A PostgreSQL
/// advisory lock makes concurrent starts of several instances safe; re-running is a no-op. A failing script is rolled
/// back, leaving the schema at its previous version, and reported with its name and the PostgreSQL error.
/// </summary>
/// <remarks>Resolve it from the container to migrate by hand, list pending migrations, or export them for a DBA. After the
/// migrations it also creates or drops the optional payload index, as
/// <see cref="PostgresEventStreamingOptions.EnablePayloadIndex"/> says (<c>DatabaseMigrator.PayloadIndex.cs</c>).</remarks>
public sealed partial class DatabaseMigrator
{
    // First key of the advisory lock ("SVRN"); the second is the hash of the schema name.
    private const int LockClass = 0x5356524E;

    private readonly PostgresDatabase _database;
    private readonly SchemaVersionGuard _guard;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<(Migration Migration, string Sql)> _scripts;
    private readonly bool _payloadIndex;
    private readonly TimeSpan _lockTimeout;

    internal DatabaseMigrator(PostgresDatabase database, SchemaVersionGuard guard, TimeProvider time, ILogger<DatabaseMigrator> logger,
        IReadOnlyList<(Migration Migration, string Sql)>? scripts = null, bool payloadIndex = false, TimeSpan? lockTimeout = null)
    {
        _lockTimeout = lockTimeout ?? TimeSpan.FromMinutes(1);
        _database = database;
        _guard = guard;
        _time = time;
        _logger = logger;
        _scripts = scripts ?? MigrationScripts.All;
        _payloadIndex = payloadIndex;
        Migrations = _scripts.Select(s => s.Migration).ToArray();
    }

    /// <summary>Every migration embedded in this version of the library, in order.</summary>
    public IReadOnlyList<Migration> Migrations { get; }

    /// <summary>Lists the migrations recorded as applied in the schema.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The applied migrations in order; empty for a fresh database.</returns>
    public async Task<IReadOnlyList<Migration>> GetAppliedMigrationsAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadAppliedAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lists the embedded migrations not yet applied.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The pending migrations in the order they would be applied.</returns>
    public async Task<IReadOnlyList<Migration>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        var applied = (await GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).Select(m => m.Version).ToHashSet();
        return Migrations.Where(m => !applied.Contains(m.Version)).ToArray();
    }

    /// <summary>
    /// Writes one SQL script a DBA can review and run with psql: each migration after <paramref name="fromVersion"/> in
    /// its own transaction, recording itself in <c>schema_version</c> as the migrator would; then, when
    /// <see cref="PostgresEventStreamingOptions.EnablePayloadIndex"/> is on, the statement that builds the payload index
    /// without blocking writes, which must run on its own, outside any transaction.
    /// </summary>
    /// <param name="fromVersion">The schema's current version; 0 for a fresh database.</param>
    /// <returns>The script.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromVersion"/> is negative.</exception>
    /// <remarks><see cref="DatabaseScripts.GenerateMigrationScript"/> writes the same without a database or a container
    /// (without the payload index, which is an option of the application's registration).</remarks>
    public string GenerateScript(int fromVersion = 0)
    {
        var script = DatabaseScripts.Migrations(_scripts, _database.Schema, fromVersion);
        return !_payloadIndex ? script : script
            + "\n-- The payload index (EnablePayloadIndex = true): built without blocking writes. Run this statement on its own,\n"
            + "-- outside any transaction (psql runs each statement alone). If it fails, DROP INDEX CONCURRENTLY the invalid index it leaves and run it again.\n"
            + PayloadIndexCreateSql(_database.Schema) + ";\n";
    }

    /// <summary>Applies every pending migration, under an advisory lock so that concurrent instances do not race; then
    /// creates or drops the payload index as <see cref="PostgresEventStreamingOptions.EnablePayloadIndex"/> says, without
    /// blocking writes (<c>CONCURRENTLY</c>, outside any transaction).</summary>
    /// <param name="cancellationToken">Cancels the operation (a migration in progress is rolled back).</param>
    /// <returns>The migrations applied by this call; empty when the schema was up to date.</returns>
    /// <exception cref="MigrationException">A migration failed; it was rolled back and the schema is at its previous
    /// version. Or building or dropping the payload index failed; the next start tries again.</exception>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var done = await ApplyMigrationsAsync(connection, cancellationToken).ConfigureAwait(false);

            // After the migration lock is released: a build can take minutes, and instances starting meanwhile need not
            // wait for it (they try the index's own lock once and go on).
            await ApplyPayloadIndexAsync(connection, cancellationToken).ConfigureAwait(false);
            return done;
        }
    }

    private async Task<IReadOnlyList<Migration>> ApplyMigrationsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var schema = _database.SchemaName;
        await AcquireMigrationLockAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            HashSet<int> applied;
            try
            {
                applied = await PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                throw new MigrationException(
                    $"Cannot prepare schema \"{schema}\" for migrations as role '{connection.UserName}': PostgreSQL error {e.SqlState}: {e.MessageText}. " +
                    (e.SqlState == PostgresErrorCodes.InsufficientPrivilege
                        ? "Run migrations as a role that may create the schema and its objects (MigrationConnectionString; docs/reliability.md lists the privileges)."
                        : "Nothing was changed."),
                    e);
            }

            var done = new List<Migration>();
            foreach (var (migration, sql) in _scripts.Where(s => !applied.Contains(s.Migration.Version)))
            {
                await ApplyAsync(connection, migration, sql, applied.Count == 0 ? 0 : applied.Max(), cancellationToken).ConfigureAwait(false);
                applied.Add(migration.Version);
                done.Add(migration);
            }

            if (done.Count == 0)
            {
                Log.SchemaUpToDate(_logger, schema, applied.Max());
            }

            _guard.MarkCurrent();
            return done;
        }
        finally
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockClass, hashtext(@schema))",
                    new { LockClass, schema }, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }
            catch (NpgsqlException) when (connection.State != System.Data.ConnectionState.Open)
            {
                // The connection broke, and the session's lock went with it; the error that broke it is the one to report.
            }
        }
    }

    /// <summary>Opens a connection of the migration data source; a server that cannot be reached, or refuses the role,
    /// fails with a <see cref="MigrationException"/> that says where it tried (never the password), within the
    /// connection string's <c>Timeout</c>.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var dataSource = _database.MigrationDataSource;
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            var where = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            Log.MigrationConnectionFailed(_logger, e, _database.SchemaName, where.Host, where.Port, where.Database, where.Username);
            throw new MigrationException(
                $"Cannot connect to PostgreSQL to migrate schema \"{_database.SchemaName}\" (Host={where.Host}; Port={where.Port}; Database={where.Database}; Username={where.Username}): {e.Message}. " +
                "Check that the server is up and reachable and that the role may log in; the application cannot start without its schema (or set AutoMigrate = false and migrate separately, see MIGRATION-GUIDE.md).",
                e);
        }
    }

    private async Task<HashSet<int>> PrepareAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema)", new { schema = _database.SchemaName },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var create = exists ? string.Empty : $"CREATE SCHEMA {_database.Schema};\n";
        await connection.ExecuteAsync(new CommandDefinition(create + DatabaseScripts.VersionTableSql(_database.Schema), cancellationToken: cancellationToken))
            .ConfigureAwait(false);

        var applied = await ReadAppliedAsync(connection, cancellationToken).ConfigureAwait(false);
        foreach (var migration in applied)
        {
            var embedded = Migrations.FirstOrDefault(m => m.Version == migration.Version);
            if (embedded is not null && embedded.Checksum != migration.Checksum)
            {
                Log.ChecksumMismatch(_logger, migration.Name, _database.SchemaName, migration.Checksum, embedded.Checksum);
            }
        }

        return applied.Select(m => m.Version).ToHashSet();
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, string sql, int currentVersion, CancellationToken cancellationToken)
    {
        Log.ApplyingMigration(_logger, migration.Name, _database.SchemaName);
        var started = Stopwatch.GetTimestamp();
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            try
            {
                var command = new NpgsqlCommand(MigrationScripts.ForSchema(sql, _database.Schema), connection, transaction);
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO {_database.Schema}.schema_version (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, @appliedAt)",
                    new { migration.Version, migration.Name, migration.Checksum, appliedAt = _time.GetUtcNow() }, transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                Log.MigrationFailed(_logger, e, migration.Name, _database.SchemaName, currentVersion);
                throw new MigrationException(
                    $"Migration {migration.Name} of schema \"{_database.SchemaName}\" failed and was rolled back; the schema stays at version {currentVersion}. " +
                    $"PostgreSQL error {e.SqlState}: {e.MessageText}" + (e.Position > 0 ? $" (at character {e.Position} of the script)" : string.Empty) +
                    (e.SqlState == PostgresErrorCodes.LockNotAvailable
                        ? $". It waited longer than MigrationLockTimeout ({_lockTimeout.TotalSeconds:0.#} s) for a table lock that another session holds " +
                          "(a long transaction, or a long query on the table); start again when it has ended (pg_stat_activity and pg_locks show it)."
                        : string.Empty),
                    e);
            }
        }

        Log.AppliedMigration(_logger, migration.Name, _database.SchemaName, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task<IReadOnlyList<Migration>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass(@table) IS NOT NULL", new { table = $"{_database.Schema}.schema_version" },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (!exists)
        {
            return [];
        }

        var rows = await connection.QueryAsync<(int Version, string Name, string Checksum)>(new CommandDefinition(
            $"SELECT version, name, checksum FROM {_database.Schema}.schema_version ORDER BY version",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new Migration(r.Version, r.Name, r.Checksum)).ToArray();
    }
}
