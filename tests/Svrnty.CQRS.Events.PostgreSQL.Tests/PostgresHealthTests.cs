using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests;

/// <summary>The health check's Unhealthy cases, which only a real database can show.</summary>
public sealed class PostgresHealthTests
{
    private static async Task<HealthReportEntry> CheckAsync(string connectionString, string schema, bool migrate)
    {
        await using var services = TestServices.Build(connectionString, schema, autoMigrate: migrate,
            configure: s => s.AddHealthChecks().AddEventStreaming());
        if (migrate)
        {
            await EventStoreFixture.StartHostedServicesAsync(services);
        }

        return (await services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["event-streaming"];
    }

    [Fact]
    public async Task A_migrated_schema_is_healthy_and_reports_its_version()
    {
        var entry = await CheckAsync(await PostgresServer.GetConnectionStringAsync(), TestServices.NewSchema(), migrate: true);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(entry.Data["expectedSchemaVersion"], entry.Data["schemaVersion"]);
    }

    [Fact]
    public async Task A_schema_behind_the_library_is_unhealthy_and_says_to_migrate()
    {
        var entry = await CheckAsync(await PostgresServer.GetConnectionStringAsync(), TestServices.NewSchema(), migrate: false);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("run the migrations", entry.Description, StringComparison.Ordinal);
        Assert.Equal(0, entry.Data["schemaVersion"]);
    }

    [Fact]
    public async Task An_unreachable_database_is_unhealthy_without_revealing_the_password()
    {
        var entry = await CheckAsync("Host=127.0.0.1;Port=1;Username=u;Password=s3cr3t-pw;Timeout=2", TestServices.NewSchema(), migrate: false);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("not reachable", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-pw", entry.Description, StringComparison.Ordinal);
    }
}
