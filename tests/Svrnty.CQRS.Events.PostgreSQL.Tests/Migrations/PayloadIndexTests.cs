using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;
using Svrnty.CQRS.Events.Serialization;
using Svrnty.CQRS.Events.Testing;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Migrations;

/// <summary>
/// Payloads are stored as <c>json</c> (the text as written), and the GIN payload index is an option
/// (<see cref="PostgresEventStreamingOptions.EnablePayloadIndex"/>), off by default, built and dropped concurrently at
/// startup; migration 003 removes the index that version 1 created for everyone.
/// </summary>
public sealed class PayloadIndexTests
{
    private const string IndexStateSql = """
        SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'event_streaming' AND c.relname = 'ix_events_data'
        """;

    private static ServiceProvider Build(string database, bool payloadIndex) =>
        TestServices.Build(database, "event_streaming", configure: s => s.Configure<PostgresEventStreamingOptions>(o => o.EnablePayloadIndex = payloadIndex));

    private static async Task<bool?> IndexStateAsync(string database) =>
        (await TestServices.ColumnAsync(database, IndexStateSql)).Select(bool.Parse).Cast<bool?>().SingleOrDefault();

    private static async Task<string> ExplainWithoutSeqScanAsync(string database, string query)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        await using (var set = new Npgsql.NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await set.ExecuteNonQueryAsync();
        }

        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN " + query, connection);
        await using var reader = await explain.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

    [Fact]
    public async Task By_default_there_is_no_gin_index_and_payloads_are_json()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var services = TestServices.Build(database, "event_streaming");

        await EventStoreFixture.StartHostedServicesAsync(services);

        Assert.Empty(await TestServices.ColumnAsync(database,
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'event_streaming' AND indexdef LIKE '%USING gin%'"));
        Assert.Equal(["dead_letters:json", "events:json", "queue_messages:json"], await TestServices.ColumnAsync(database, """
            SELECT table_name || ':' || data_type FROM information_schema.columns
            WHERE table_schema = 'event_streaming' AND column_name = 'data' ORDER BY table_name
            """));
    }

    [Fact]
    public async Task The_option_builds_the_index_that_serves_containment_queries_and_turning_it_off_drops_it()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using (var on = Build(database, payloadIndex: true))
        {
            await EventStoreFixture.StartHostedServicesAsync(on);
            var store = on.GetRequiredService<IEventStreamStore>();
            await store.AppendAsync("orders-1", [new TestEvent("indexed", 1), new TestEvent("other", 2)]);

            Assert.True(await IndexStateAsync(database));
            var definition = await TestServices.ScalarAsync<string>(database,
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'event_streaming' AND indexname = 'ix_events_data'");
            Assert.Contains("USING gin (((data)::jsonb) jsonb_path_ops)", definition, StringComparison.Ordinal);

            // The query docs/postgresql.md shows is served by the index.
            const string query = """SELECT stream_offset FROM event_streaming.events WHERE data::jsonb @> '{"name":"indexed"}'""";
            var plan = await ExplainWithoutSeqScanAsync(database, query);
            Assert.Contains("ix_events_data", plan, StringComparison.Ordinal);
            Assert.Equal(["0"], await TestServices.ColumnAsync(database, query));

            // Starting again with the option on changes nothing.
            await on.GetRequiredService<DatabaseMigrator>().MigrateAsync();
            Assert.True(await IndexStateAsync(database));
        }

        await using var off = Build(database, payloadIndex: false);
        await EventStoreFixture.StartHostedServicesAsync(off);

        Assert.Null(await IndexStateAsync(database));
        Assert.Equal(2, await off.GetRequiredService<IEventStreamStore>().AppendAsync("orders-1", new TestEvent("after", 3)));
    }

    [Fact]
    public async Task The_build_waits_for_a_transaction_that_runs_longer_than_the_migration_lock_timeout()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using (var off = Build(database, payloadIndex: false))
        {
            await EventStoreFixture.StartHostedServicesAsync(off);
        }

        // A writer's transaction, open across the build: CREATE INDEX CONCURRENTLY waits for it (a lock wait).
        await using var writer = new Npgsql.NpgsqlConnection(database);
        await writer.OpenAsync();
        var transaction = await writer.BeginTransactionAsync();
        await using (var insert = new Npgsql.NpgsqlCommand("""
            INSERT INTO event_streaming.events (stream_name, stream_offset, event_id, event_type, data, occurred_at, created_at)
            VALUES ('open', 0, 'e-open', 't', '{}', now(), now())
            """, writer, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using var on = TestServices.Build(database, "event_streaming", configure: s => s.Configure<PostgresEventStreamingOptions>(o =>
        {
            o.EnablePayloadIndex = true;
            o.MigrationLockTimeout = TimeSpan.FromSeconds(1);
        }));
        var migrating = on.GetRequiredService<DatabaseMigrator>().MigrateAsync();

        // The build has waited for the transaction longer than MigrationLockTimeout, and waits on.
        await Deadline.UntilAsync(async () => migrating.IsCompleted || await TestServices.ScalarAsync<bool>(database, """
            SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%'
                           AND wait_event_type = 'Lock' AND now() - query_start > interval '2 seconds')
            """), "the index build waits for the open transaction for more than 2 s");
        Assert.False(migrating.IsCompleted, "the build ended while the transaction was still open");

        await transaction.CommitAsync();
        await migrating;

        Assert.True(await IndexStateAsync(database));
    }

    [Fact]
    public async Task A_build_that_fails_is_reported_with_the_index_name_and_the_next_start_replaces_the_invalid_index_it_left()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using (var off = Build(database, payloadIndex: false))
        {
            await EventStoreFixture.StartHostedServicesAsync(off);
        }

        // A row the application would have refused, written behind its back: json accepts \u0000, jsonb does not.
        await TestServices.ScalarAsync<int>(database, """
            INSERT INTO event_streaming.events (stream_name, stream_offset, event_id, event_type, data, occurred_at, created_at)
            VALUES ('raw', 0, 'e-0', 't', '{"a":"\u0000"}', now(), now());
            SELECT 1
            """);
        await using (var failing = Build(database, payloadIndex: true))
        {
            var error = await Assert.ThrowsAsync<MigrationException>(() => EventStoreFixture.StartHostedServicesAsync(failing));

            Assert.Contains("ix_events_data", error.Message, StringComparison.Ordinal);
            Assert.Contains("22P05", error.Message, StringComparison.Ordinal);
            Assert.False(await IndexStateAsync(database)); // CONCURRENTLY leaves an invalid index behind
        }

        await TestServices.ScalarAsync<int>(database, "DELETE FROM event_streaming.events WHERE stream_name = 'raw'; SELECT 1");
        await using var fixedUp = Build(database, payloadIndex: true);
        await EventStoreFixture.StartHostedServicesAsync(fixedUp);

        Assert.True(await IndexStateAsync(database));
    }

    [Fact]
    public async Task Migrating_a_version_1_database_drops_its_payload_index_and_keeps_its_events_readable()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var services = TestServices.Build(database, "event_streaming");
        var typeName = services.GetRequiredService<EventSerializer>().GetEventTypeName(typeof(TestEvent));
        var versionOne = new DatabaseMigrator(services.GetRequiredService<PostgresDatabase>(), services.GetRequiredService<SchemaVersionGuard>(),
            TimeProvider.System, services.GetRequiredService<ILogger<DatabaseMigrator>>(), [MigrationScripts.All[0]], payloadIndex: true);
        await versionOne.MigrateAsync();
        Assert.True(await IndexStateAsync(database));
        await TestServices.ScalarAsync<int>(database, $$"""
            INSERT INTO event_streaming.streams (stream_name, next_offset, created_at, updated_at) VALUES ('old', 1, now(), now());
            INSERT INTO event_streaming.events (stream_name, stream_offset, event_id, event_type, data, occurred_at, created_at)
            VALUES ('old', 0, 'e-1', '{{typeName}}', '{"name":"old","number":7}', '2025-01-02T03:04:05Z', now());
            SELECT 1
            """);

        var applied = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();

        Assert.Equal(MigrationScripts.All.Skip(1).Select(s => s.Migration), applied);
        Assert.Null(await IndexStateAsync(database));
        var read = Assert.Single(await services.GetRequiredService<IEventStreamStore>().ReadStreamAsync("old", 0, 10));
        Assert.Equal(new TestEvent("old", 7) { EventId = "e-1", OccurredAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero) }, read.Event);
    }
}
