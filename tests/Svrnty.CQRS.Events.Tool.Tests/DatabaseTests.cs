using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.Tool.Tests;

/// <summary>
/// The DBA's path on a real server: <c>script</c> run by hand and <c>apply</c> give the schema the application's
/// <c>AutoMigrate</c> gives; <c>status</c> says what is applied and pending; <c>grants</c> let the application's own
/// role do everything it does at runtime and nothing more.
/// </summary>
public sealed class DatabaseTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Script_run_by_hand_and_apply_create_the_schema_that_AutoMigrate_creates()
    {
        var database = await server.CreateDatabaseAsync();
        var connection = server.ConnectionString(database);

        // A DBA's way, like psql -f: the script as one batch.
        await server.ExecuteAsync(database, await Tool.RunOkAsync("script", "--schema", "by_script"));
        // The tool's own way.
        await Tool.RunOkAsync("apply", "--connection", connection, "--schema", "by_apply");
        // The application's way: AutoMigrate, the migration hosted service at startup.
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPostgresEventStreaming(o =>
        {
            o.ConnectionString = connection;
            o.SchemaName = "by_automigrate";
        });
        using (var host = builder.Build())
        {
            await host.StartAsync();
            await host.StopAsync();
        }

        var expected = await SchemaSnapshot.DescribeAsync(server, database, "by_automigrate");
        Assert.Contains(expected, r => r.StartsWith("column events.data json not null", StringComparison.Ordinal));
        Assert.Contains(expected, r => r.StartsWith("migration 1 001_InitialSchema ", StringComparison.Ordinal));
        Assert.Equal(expected, await SchemaSnapshot.DescribeAsync(server, database, "by_script"));
        Assert.Equal(expected, await SchemaSnapshot.DescribeAsync(server, database, "by_apply"));
        Assert.Contains("0 pending: up to date.", await Tool.RunOkAsync("status", "--connection", connection, "--schema", "by_script"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_lists_what_is_applied_and_what_is_pending_and_apply_is_idempotent()
    {
        var database = await server.CreateDatabaseAsync();
        var connection = server.ConnectionString(database);

        var before = await Tool.RunOkAsync("status", "--connection", connection);
        var applied = await Tool.RunOkAsync("apply", "--connection", connection);
        var after = await Tool.RunOkAsync("status", "--connection", connection);
        var again = await Tool.RunOkAsync("apply", "--connection", connection);

        // Every migration this version embeds, in order (the list grows with every release).
        var migrations = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".sql", StringComparison.Ordinal) && n.Contains(".Migrations.", StringComparison.Ordinal))
            .Select(n => n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^".sql".Length])
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            [
                $"Schema \"event_streaming\" (Host=127.0.0.1; Port={new NpgsqlConnectionStringBuilder(connection).Port}; Database={database}; Username=postgres)",
                .. migrations.Select(m => $"  pending  {m}"),
                $"0 applied, {migrations.Length} pending: run 'svrnty-events apply', or 'svrnty-events script --from 0' for the SQL.",
            ], Lines(before));
        Assert.Equal(migrations.Select(m => $"  applied  {m}"), Lines(applied)[..migrations.Length]);
        Assert.EndsWith($"migrated to version {migrations.Length}: {migrations.Length} applied.", Lines(applied)[migrations.Length], StringComparison.Ordinal);
        Assert.Equal([.. migrations.Select(m => $"  applied  {m}"), $"{migrations.Length} applied, 0 pending: up to date."], Lines(after)[1..]);
        Assert.EndsWith($"is up to date at version {migrations.Length}.", Lines(again).Single(), StringComparison.Ordinal);
        Assert.DoesNotContain(ServerFixture.Secret, before + applied + after + again, StringComparison.Ordinal);

        // An applied script edited afterwards is pointed out.
        await server.ExecuteAsync(database, "UPDATE event_streaming.schema_version SET checksum = 'edited' WHERE version = 1");
        Assert.Contains("  applied  001_InitialSchema  (checksum edited differs from this version's ", await Tool.RunOkAsync("status", "--connection", connection), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grants_run_after_the_migrations_let_the_application_role_read_and_write_but_not_change_the_schema()
    {
        var database = await server.CreateDatabaseAsync();
        var app = $"app_{Guid.NewGuid():N}"[..16];
        await server.ExecuteAsync("postgres", $"CREATE ROLE {app} LOGIN");

        await Tool.RunOkAsync("apply", "--connection", server.ConnectionString(database));
        await server.ExecuteAsync(database, await Tool.RunOkAsync("grants", "--role", app));

        await AssertTheApplicationWorksAsync(server.ConnectionString(database, app), "event_streaming");
        await AssertNoDdlAsync(server.ConnectionString(database, app), "event_streaming");
    }

    [Fact]
    public async Task Grants_run_before_the_first_migration_cover_what_the_migrating_role_creates_later()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string owner = $"owner_{suffix}", app = $"app_{suffix}";
        await server.ExecuteAsync("postgres", $"CREATE ROLE {owner} LOGIN; CREATE ROLE {app} LOGIN;");
        var database = await server.CreateDatabaseAsync(); // owned by the superuser: the migrating role may not create a schema in it

        // The order MIGRATION-GUIDE.md gives: grants (by a superuser: the schema, owned by the migrating role, and default
        // privileges for what it creates), then the migrations as the migrating role, then the application as its own role.
        var ownerAlone = await Tool.RunAsync("apply", "--connection", server.ConnectionString(database, owner), "--schema", "orders");
        await server.ExecuteAsync(database, await Tool.RunOkAsync("grants", "--role", app, "--owner", owner, "--schema", "orders"));
        var refused = await Tool.RunAsync("apply", "--connection", server.ConnectionString(database, app), "--schema", "orders");
        await Tool.RunOkAsync("apply", "--connection", server.ConnectionString(database, owner), "--schema", "orders");

        Assert.Equal(1, ownerAlone.ExitCode);
        Assert.Contains($"Cannot prepare schema \"orders\" for migrations as role '{owner}': PostgreSQL error 42501", ownerAlone.Error, StringComparison.Ordinal);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("42501", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(ServerFixture.Secret, refused.Error, StringComparison.Ordinal);
        Assert.Equal([owner], await server.QueryAsync(database, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'orders'"));
        await AssertTheApplicationWorksAsync(server.ConnectionString(database, app), "orders");
        await AssertNoDdlAsync(server.ConnectionString(database, app), "orders");
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_fails_status_with_where_it_tried_and_no_password()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        var (exitCode, output, error) = await Tool.RunAsync("status", "--connection",
            $"Host=127.0.0.1;Port={port};Database=events;Username=dba;Password={ServerFixture.Secret};Timeout=3");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains($"error: Cannot connect to PostgreSQL to migrate schema \"event_streaming\" (Host=127.0.0.1; Port={port}; Database=events; Username=dba)", error, StringComparison.Ordinal);
        Assert.DoesNotContain(ServerFixture.Secret, error, StringComparison.Ordinal);
    }

    /// <summary>What the application does at runtime, as the application's role: appends, reads, enqueues, dequeues,
    /// acknowledgements, dead letters, offsets, configuration, retention.</summary>
    private static async Task AssertTheApplicationWorksAsync(string connectionString, string schema)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPostgresEventStreaming(o =>
        {
            o.ConnectionString = connectionString;
            o.SchemaName = schema;
            o.AutoMigrate = false;
        });
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IEventStreamStore>();

        Assert.Equal(1, await store.AppendAsync("order-1", [new OrderPlaced("1"), new OrderPlaced("1b")], expectedLength: 0));
        Assert.Equal(["1", "1b"], (await store.ReadStreamAsync("order-1", 0, 10)).Select(e => ((OrderPlaced)e.Event).OrderId));
        await store.EnqueueAsync("emails", new OrderPlaced("2"));
        await store.EnqueueAsync("emails", new OrderPlaced("3"));
        var first = await store.DequeueAsync("emails", "worker", TimeSpan.FromMinutes(1));
        Assert.True(await store.AcknowledgeAsync("emails", first!.EventId, "worker"));
        var second = await store.DequeueAsync("emails", "worker", TimeSpan.FromMinutes(1));
        Assert.True(await store.NackAsync("emails", second!.EventId, "worker", requeue: false));
        Assert.True(await provider.GetRequiredService<IDeadLetterStore>().RequeueAsync("emails", second.EventId));
        await provider.GetRequiredService<IConsumerOffsetStore>().CommitOffsetAsync("order-1", "projection", 2);
        await provider.GetRequiredService<IStreamConfigurationStore>().SetAsync(new StreamConfiguration { StreamName = "emails", MaxDeliveryAttempts = 3 });
        await provider.GetRequiredService<IRetentionPolicyStore>().SetAsync(new RetentionPolicy { StreamName = "order-1", MaxEventCount = 100 });
        Assert.Equal(1, await store.GetPendingCountAsync("emails"));
    }

    private static async Task AssertNoDdlAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var ddl in new[]
                 {
                     $"CREATE TABLE {schema}.intruder (id int)",
                     $"ALTER TABLE {schema}.events ADD COLUMN intruder int",
                     $"DROP TABLE {schema}.queue_messages",
                     $"TRUNCATE {schema}.events",
                     $"CREATE INDEX ix_intruder ON {schema}.events (event_type)",
                 })
        {
            await using var command = new NpgsqlCommand(ddl, connection);
            var denied = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.True(denied.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{ddl}: {denied.SqlState} {denied.MessageText}");
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private sealed record OrderPlaced(string OrderId) : CorrelatedEvent;
}
