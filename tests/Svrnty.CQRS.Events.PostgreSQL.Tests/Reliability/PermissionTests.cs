using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Reliability;

/// <summary>
/// An application role that lacks a grant gets an <see cref="EventStorePermissionException"/> naming the role, the
/// missing privilege and the way to grant it, instead of a bare <c>42501</c>; once the grants of
/// <see cref="DatabaseScripts.GenerateGrantScript"/> are run, the same service provider works.
/// </summary>
public sealed class PermissionTests(OwnServerFixture server) : IClassFixture<OwnServerFixture>
{
    [Fact]
    public async Task A_missing_grant_fails_with_the_privilege_to_grant_and_the_way_to_grant_it()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string app = $"svrnty_nogrants_{suffix}", database = $"perm_{suffix}";
        const string schema = "event_streaming";
        await server.ExecuteAsync($"CREATE ROLE {app} LOGIN PASSWORD '{OwnServerFixture.Secret}'");
        await server.ExecuteAsync($"CREATE DATABASE {database}");
        var admin = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
        await using (var owner = TestServices.Build(admin, schema))
        {
            await EventStoreFixture.StartHostedServicesAsync(owner); // migrated by the superuser; no grant to the role
        }

        var asApp = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database, Username = app }.ConnectionString;
        await using var services = TestServices.Build(asApp, schema, autoMigrate: false);
        var store = services.GetRequiredService<IEventStreamStore>();

        // No USAGE on the schema: the first operation (its schema-version check) is refused.
        var noSchema = await Assert.ThrowsAsync<EventStorePermissionException>(() => store.AppendAsync("order-1", new TestEvent("a", 1)));
        Assert.Equal((app, "schema", schema), (noSchema.RoleName, noSchema.ObjectType, noSchema.ObjectName));
        Assert.StartsWith($"Role '{app}' lacks USAGE on schema \"{schema}\": PostgreSQL refused the operation 'append' with error 42501: permission denied for schema {schema}.", noSchema.Message, StringComparison.Ordinal);
        Assert.Contains($"'svrnty-events grants --role {app} --schema {schema}'", noSchema.Message, StringComparison.Ordinal);
        Assert.Contains("MIGRATION-GUIDE.md", noSchema.Message, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(noSchema.InnerException).SqlState);
        Assert.IsAssignableFrom<EventStreamException>(noSchema);
        Assert.DoesNotContain(OwnServerFixture.Secret, noSchema.ToString(), StringComparison.Ordinal);

        // USAGE and the version table only: the statement of the operation itself is refused, and named.
        await server.ExecuteAsync($"GRANT USAGE ON SCHEMA {schema} TO {app}; GRANT SELECT ON {schema}.schema_version TO {app};", database);
        var noTable = await Assert.ThrowsAsync<EventStorePermissionException>(() => store.DequeueAsync("jobs", "worker", TimeSpan.FromMinutes(1)));
        Assert.Equal("table", noTable.ObjectType);
        Assert.Contains(noTable.ObjectName, new[] { "queue_messages", "stream_configurations", "dead_letters" });
        Assert.StartsWith($"Role '{app}' lacks SELECT, INSERT, UPDATE, DELETE on table \"{schema}\".\"{noTable.ObjectName}\": " +
            $"PostgreSQL refused the operation 'dequeue' with error 42501: permission denied for table {noTable.ObjectName}.", noTable.Message, StringComparison.Ordinal);
        var noRead = await Assert.ThrowsAsync<EventStorePermissionException>(() => store.ReadStreamAsync("order-1", 0, 10));
        Assert.Equal("table", noRead.ObjectType);

        // The grants the message points to: everything works, on the same service provider.
        await server.ExecuteAsync(DatabaseScripts.GenerateGrantScript(app, schema), database);
        Assert.Equal(0, await store.AppendAsync("order-1", new TestEvent("a", 1)));
        Assert.Single(await store.ReadStreamAsync("order-1", 0, 10));
        await store.EnqueueAsync("jobs", new TestEvent("job", 1));
        Assert.NotNull(await store.DequeueAsync("jobs", "worker", TimeSpan.FromMinutes(1)));
    }
}
