using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Migrations;

/// <summary>A migrator that cannot get the migration lock, or a table lock a script needs, fails with a
/// <see cref="MigrationException"/> that says who holds it, and leaves no session waiting behind it.</summary>
public sealed class MigrationLockTests
{
    [Fact]
    public async Task A_migrator_waiting_for_the_migration_lock_times_out_naming_the_session_that_holds_it()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        const string schema = "event_streaming";
        await using var services = TestServices.Build(database, schema,
            configure: s => s.Configure<PostgresEventStreamingOptions>(o => o.MigrationLockTimeout = TimeSpan.FromSeconds(1)));
        var migrator = services.GetRequiredService<DatabaseMigrator>();

        // Another "instance" holds the lock, as a migrator in the middle of its work does.
        await using var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { ApplicationName = "stuck-migrator", Pooling = false }.ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(1398166094, hashtext($1))", holder))
        {
            take.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
            await take.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateAsync());

        Assert.Equal(holder.ProcessID, error.HolderProcessId);
        Assert.Equal("stuck-migrator", error.HolderApplicationName);
        Assert.Contains($"pid {holder.ProcessID}", error.Message, StringComparison.Ordinal);
        Assert.Contains("'stuck-migrator'", error.Message, StringComparison.Ordinal);
        Assert.Contains("MigrationLockTimeout", error.Message, StringComparison.Ordinal);

        // Nothing of this migrator is left waiting on the server; once the holder is gone, the next start migrates.
        Assert.Equal(0L, await TestServices.ScalarAsync<long>(database, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"));
        await holder.CloseAsync();
        Assert.NotEmpty(await migrator.MigrateAsync());
    }

    [Fact]
    public async Task A_migration_waiting_for_a_table_lock_fails_after_the_lock_timeout_and_releases_the_migration_lock()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var services = TestServices.Build(database, "event_streaming",
            configure: s => s.Configure<PostgresEventStreamingOptions>(o => o.MigrationLockTimeout = TimeSpan.FromSeconds(1)));
        var migrator = services.GetRequiredService<DatabaseMigrator>();
        await migrator.MigrateAsync();

        // A long transaction reads a table that the next migration alters.
        await using var reader = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        await reader.OpenAsync();
        await using var transaction = await reader.BeginTransactionAsync();
        await using (var read = new NpgsqlCommand("SELECT count(*) FROM event_streaming.events", reader, transaction))
        {
            await read.ExecuteScalarAsync();
        }

        var next = MigrationScripts.All.Append(MigrationScripts.Create("099_AddColumn", "ALTER TABLE __schema__.events ADD COLUMN note text;")).ToArray();
        var upgrade = new DatabaseMigrator(services.GetRequiredService<PostgresDatabase>(), services.GetRequiredService<SchemaVersionGuard>(),
            TimeProvider.System, NullLogger<DatabaseMigrator>.Instance, next, lockTimeout: TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<MigrationException>(() => upgrade.MigrateAsync());

        Assert.Contains("099_AddColumn", error.Message, StringComparison.Ordinal);
        Assert.Contains("55P03", error.Message, StringComparison.Ordinal);
        Assert.Contains("MigrationLockTimeout", error.Message, StringComparison.Ordinal);
        await transaction.RollbackAsync();

        // The migration lock went with the failed attempt: the next one applies the script at once.
        Assert.Equal(["099_AddColumn"], (await upgrade.MigrateAsync()).Select(m => m.Name));
    }
}
