using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Migrations;

public sealed class MigrationTests
{
    [Fact]
    public async Task A_fresh_database_gets_every_table_and_index_and_a_version_row_per_migration()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var services = TestServices.Build(database, "event_streaming");

        await EventStoreFixture.StartHostedServicesAsync(services);

        var tables = await TestServices.ColumnAsync(database,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'event_streaming' ORDER BY table_name");
        Assert.Equal(["consumer_group_epochs", "consumer_offsets", "dead_letters", "event_positions", "events", "log_pending", "logs", "parked_events", "queue_messages",
            "retention_policies", "schema_version", "stream_configurations", "streams"], tables);
        var indexes = await TestServices.ColumnAsync(database, "SELECT indexname FROM pg_indexes WHERE schemaname = 'event_streaming'");
        Assert.Superset(new HashSet<string>
        {
            "pk_events", "uq_events_event_id", "ix_events_correlation_id", "ix_events_event_type", "ix_events_stream_created_at",
            "ix_events_created_at", "pk_queue_messages", "ix_queue_messages_order", "pk_dead_letters",
            "pk_consumer_offsets", "pk_consumer_group_epochs", "pk_streams", "pk_retention_policies", "pk_stream_configurations", "pk_parked_events",
            "pk_event_positions", "ux_event_positions_all", "ux_event_positions_category", "pk_log_pending", "pk_logs",
        }, indexes.ToHashSet());
        var migrator = services.GetRequiredService<DatabaseMigrator>();
        Assert.Equal(migrator.Migrations, await migrator.GetAppliedMigrationsAsync());
        Assert.Empty(await migrator.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Every_primary_key_leads_with_the_stream_name()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var services = TestServices.Build(database, "event_streaming");
        await EventStoreFixture.StartHostedServicesAsync(services);

        var leading = await TestServices.ColumnAsync(database, """
            SELECT c.relname || ':' || a.attname
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
            WHERE i.indisprimary AND n.nspname = 'event_streaming' AND c.relname <> 'schema_version'
            """);

        Assert.Equal(12, leading.Count);
        Assert.All(leading, l => Assert.Matches(":(stream_name|queue_name|log_name)$", l));
    }

    [Fact]
    public async Task Migrating_again_is_a_no_op()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var services = TestServices.Build(database, "event_streaming");
        var migrator = services.GetRequiredService<DatabaseMigrator>();

        Assert.Equal(migrator.Migrations, await migrator.MigrateAsync());
        Assert.Empty(await migrator.MigrateAsync());
        Assert.Equal((long)migrator.Migrations.Count, await TestServices.ScalarAsync<long>(database, "SELECT count(*) FROM event_streaming.schema_version"));
    }

    [Fact]
    public async Task Five_instances_starting_at_once_on_a_fresh_database_migrate_it_once()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var instances = Enumerable.Range(0, 5).Select(_ => TestServices.Build(database, "event_streaming")).ToArray();
        try
        {
            using var go = new SemaphoreSlim(0);
            var starts = instances.Select(s => Task.Run(async () =>
            {
                await go.WaitAsync();
                await EventStoreFixture.StartHostedServicesAsync(s);
                return await s.GetRequiredService<IEventStreamStore>().AppendAsync("shared", new TestEvent("x", 1));
            })).ToArray();
            go.Release(5);
            var offsets = await Task.WhenAll(starts);

            Assert.Equal([0L, 1, 2, 3, 4], offsets.Order());
            Assert.Equal((long)MigrationScripts.All.Count, await TestServices.ScalarAsync<long>(database, "SELECT count(*) FROM event_streaming.schema_version"));
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_failing_migration_rolls_back_keeps_the_previous_version_and_the_next_start_after_the_fix_succeeds()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var logs = new CapturingLoggerProvider();
        await using var services = TestServices.Build(database, "event_streaming", logs: logs);
        var first = MigrationScripts.All[0];
        var broken = MigrationScripts.Create("002_AddAudit", "CREATE TABLE __schema__.audit (id int);\nSELECT * FROM __schema__.no_such_table;");
        var fixedScript = MigrationScripts.Create("002_AddAudit", "CREATE TABLE __schema__.audit (id int);");

        var error = await Assert.ThrowsAsync<MigrationException>(() => Migrator(services, first, broken).MigrateAsync());

        Assert.Contains("002_AddAudit", error.Message, StringComparison.Ordinal);
        Assert.Contains("stays at version 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("42P01", error.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_table", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await TestServices.ScalarAsync<int>(database, "SELECT max(version) FROM event_streaming.schema_version"));
        Assert.False(await TestServices.ScalarAsync<bool>(database, "SELECT to_regclass('event_streaming.audit') IS NOT NULL"));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("002_AddAudit", StringComparison.Ordinal));

        Assert.Equal([fixedScript.Migration], await Migrator(services, first, fixedScript).MigrateAsync());
        Assert.True(await TestServices.ScalarAsync<bool>(database, "SELECT to_regclass('event_streaming.audit') IS NOT NULL"));
    }

    [Fact]
    public async Task A_failing_migration_at_startup_fails_the_start_with_the_script_name()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await TestServices.ScalarAsync<int>(database, "CREATE SCHEMA event_streaming; CREATE TABLE event_streaming.events (x int); SELECT 1");
        await using var services = TestServices.Build(database, "event_streaming");

        var error = await Assert.ThrowsAsync<MigrationException>(() => EventStoreFixture.StartHostedServicesAsync(services));

        Assert.Contains("001_InitialSchema", error.Message, StringComparison.Ordinal);
        Assert.Contains("stays at version 0", error.Message, StringComparison.Ordinal);
        Assert.False(await TestServices.ScalarAsync<bool>(database, "SELECT to_regclass('event_streaming.streams') IS NOT NULL"));
    }

    [Fact]
    public async Task An_edited_applied_script_is_reported()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var logs = new CapturingLoggerProvider();
        await using var services = TestServices.Build(database, "event_streaming", logs: logs);
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        var edited = MigrationScripts.Create(MigrationScripts.All[0].Migration.Name, MigrationScripts.All[0].Sql + "\n-- edited");

        await Migrator(services, edited).MigrateAsync();

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Id.Id == 1004 && e.Message.Contains("001_InitialSchema", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_auto_migrate_off_the_first_operation_on_an_out_of_date_schema_says_to_run_migrations()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var services = TestServices.Build(database, "event_streaming", autoMigrate: false);
        await EventStoreFixture.StartHostedServicesAsync(services);
        var store = services.GetRequiredService<IEventStreamStore>();

        var error = await Assert.ThrowsAsync<MigrationException>(() => store.AppendAsync("s", new TestEvent("x", 1)));

        Assert.Contains("is at version 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Run the migrations", error.Message, StringComparison.Ordinal);
        Assert.False(await TestServices.ScalarAsync<bool>(database, "SELECT to_regclass('event_streaming.streams') IS NOT NULL"));
        Assert.Equal(services.GetRequiredService<DatabaseMigrator>().Migrations, await services.GetRequiredService<DatabaseMigrator>().GetPendingMigrationsAsync());

        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        Assert.Equal(0, await store.AppendAsync("s", new TestEvent("x", 1)));
    }

    [Fact]
    public async Task The_exported_script_applied_by_a_dba_gives_a_schema_the_library_accepts()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var services = TestServices.Build(database, "dba_schema", autoMigrate: false);
        var script = services.GetRequiredService<DatabaseMigrator>().GenerateScript();

        await TestServices.ScalarAsync<object>(database, script + "\nSELECT 1;");

        Assert.Empty(await services.GetRequiredService<DatabaseMigrator>().GetPendingMigrationsAsync());
        var store = services.GetRequiredService<IEventStreamStore>();
        Assert.Equal(0, await store.AppendAsync("s", new TestEvent("x", 1)));
    }

    private static DatabaseMigrator Migrator(IServiceProvider services, params (Migration, string)[] scripts) =>
        new(services.GetRequiredService<PostgresDatabase>(), services.GetRequiredService<SchemaVersionGuard>(), TimeProvider.System,
            services.GetRequiredService<ILogger<DatabaseMigrator>>(), scripts);
}
