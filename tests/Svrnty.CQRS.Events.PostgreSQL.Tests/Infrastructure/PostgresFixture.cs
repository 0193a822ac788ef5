using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.ContractTests;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL backend, registered as an application registers it, in a schema of its own so that test classes
/// run in parallel without seeing each other; the migration hosted service creates the schema.
/// </summary>
public sealed class PostgresFixture : EventStoreFixture
{
    public string ConnectionString { get; private set; } = string.Empty;

    public string SchemaName { get; } = $"t_{Guid.NewGuid():N}";

    protected override void AddBackend(IServiceCollection services) =>
        services.AddPostgresEventStreaming(options =>
        {
            options.ConnectionString = ConnectionString;
            options.SchemaName = SchemaName;
        });

    public override async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.GetConnectionStringAsync();
        await base.InitializeAsync();
    }
}
