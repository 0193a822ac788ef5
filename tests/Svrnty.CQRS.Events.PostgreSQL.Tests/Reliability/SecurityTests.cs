using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Reliability;

/// <summary>
/// Least privilege (docs/reliability.md): the schema migrated by one role (<see cref="PostgresEventStreamingOptions.MigrationConnectionString"/>)
/// and used by another that can read and write the tables but not change them; and a server that is down at startup.
/// Passwords never reach the logs or the errors.
/// </summary>
public sealed class SecurityTests(OwnServerFixture server) : IClassFixture<OwnServerFixture>
{
    [Fact]
    public async Task The_application_runs_as_a_role_that_cannot_alter_the_schema_migrated_by_another()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string migrator = $"svrnty_migrator_{suffix}", app = $"svrnty_app_{suffix}", database = $"events_{suffix}";
        const string schema = "event_streaming";
        await server.ExecuteAsync($"""
            CREATE ROLE {migrator} LOGIN PASSWORD 'migrator-secret-{suffix}';
            CREATE ROLE {app} LOGIN PASSWORD 'app-secret-{suffix}';
            """);
        await server.ExecuteAsync($"CREATE DATABASE {database} OWNER {migrator}");
        string As(string role) => new NpgsqlConnectionStringBuilder(server.Cluster.ConnectionString)
        {
            Username = role, Password = role == app ? $"app-secret-{suffix}" : $"migrator-secret-{suffix}", Database = database,
        }.ConnectionString;
        var logs = new CapturingLoggerProvider();

        // The application role alone cannot migrate: a clear error naming the failing script.
        await using (var alone = TestServices.Build(As(app), schema, logs: logs))
        {
            var refused = await Assert.ThrowsAsync<MigrationException>(() => EventStoreFixture.StartHostedServicesAsync(alone));
            Assert.Contains("42501", refused.Message, StringComparison.Ordinal); // insufficient_privilege
        }

        // The DBA's one-time set-up (docs/reliability.md): the schema, owned by the migrator, and default privileges so
        // that the application role gets exactly read and write on everything the migrations create.
        await server.ExecuteAsync($"""
            SET ROLE {migrator};
            CREATE SCHEMA {schema};
            GRANT USAGE ON SCHEMA {schema} TO {app};
            ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};
            ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {app};
            """, database);

        await using (var services = TestServices.Build(As(app), schema, logs: logs,
                         configure: s => s.Configure<PostgresEventStreamingOptions>(o => o.MigrationConnectionString = As(migrator))))
        {
            await EventStoreFixture.StartHostedServicesAsync(services);
            var store = services.GetRequiredService<IEventStreamStore>();

            // Everything the application does at runtime works with the application role.
            var events = Enumerable.Range(0, 3).Select(i => (ICorrelatedEvent)new TestEvent("two-roles", i)).ToArray();
            Assert.Equal(2, await store.AppendAsync("orders", events, expectedLength: 0));
            Assert.Equal(events, (await store.ReadStreamAsync("orders", 0, 10)).Select(e => e.Event));
            await store.EnqueueAsync("jobs", new TestEvent("job", 1));
            await store.EnqueueAsync("jobs", new TestEvent("job", 2));
            var first = await store.DequeueAsync("jobs", "worker", TimeSpan.FromMinutes(1));
            Assert.True(await store.AcknowledgeAsync("jobs", first!.EventId, "worker"));
            var second = await store.DequeueAsync("jobs", "worker", TimeSpan.FromMinutes(1));
            Assert.True(await store.NackAsync("jobs", second!.EventId, "worker", requeue: false));
            Assert.True(await services.GetRequiredService<IDeadLetterStore>().RequeueAsync("jobs", second.EventId));
            await services.GetRequiredService<IConsumerOffsetStore>().CommitOffsetAsync("orders", "projection", 3);
            await services.GetRequiredService<IStreamConfigurationStore>().SetAsync(new StreamConfiguration { StreamName = "jobs", MaxDeliveryAttempts = 3 });
            await services.GetRequiredService<IRetentionPolicyStore>().SetAsync(new RetentionPolicy { StreamName = "orders", MaxEventCount = 100 });
            Assert.Equal(3, (await store.GetStreamMetadataAsync("orders")).Length);

            // ...and it cannot change the schema.
            var database_ = services.GetRequiredService<PostgresDatabase>();
            foreach (var ddl in new[]
                     {
                         $"CREATE TABLE {schema}.intruder (id int)",
                         $"ALTER TABLE {schema}.events ADD COLUMN intruder int",
                         $"DROP TABLE {schema}.queue_messages",
                         $"CREATE OR REPLACE FUNCTION {schema}.intruder(text, text, timestamptz, timestamptz) RETURNS SETOF {schema}.queue_messages LANGUAGE sql AS 'SELECT NULL::{schema}.queue_messages WHERE false'",
                     })
            {
                await using var command = database_.DataSource.CreateCommand(ddl);
                var denied = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
                Assert.True(denied.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{ddl}: {denied.SqlState} {denied.MessageText}");
            }
        }

        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("secret-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_is_down_at_startup_fails_the_migration_with_a_clear_error_within_the_connection_timeout()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        } // closed again: connections to it are refused

        var logs = new CapturingLoggerProvider();
        var connectionString = $"Host=127.0.0.1;Port={port};Username=svrnty;Password={OwnServerFixture.Secret};Database=events;Timeout=3";
        await using var services = TestServices.Build(connectionString, TestServices.NewSchema(), logs: logs);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MigrationException>(() => EventStoreFixture.StartHostedServicesAsync(services));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Startup took {clock.Elapsed} to fail.");
        Assert.Contains("Cannot connect to PostgreSQL", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Port={port.ToString(CultureInfo.InvariantCulture)}", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        Assert.DoesNotContain(OwnServerFixture.Secret, error.ToString(), StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Id.Id == 1006);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(OwnServerFixture.Secret, StringComparison.Ordinal));
    }
}
