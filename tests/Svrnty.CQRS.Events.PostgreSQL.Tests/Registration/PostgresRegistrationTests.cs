using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Svrnty.CQRS.Events.PostgreSQL.Migrations;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Registration;

/// <summary>What only the PostgreSQL backend has to show about registration: the migration service's place, and
/// options refused at startup with what to fix.</summary>
public sealed class PostgresRegistrationTests
{
    [Fact]
    public void The_migration_service_starts_before_hosted_services_registered_earlier()
    {
        var services = new ServiceCollection();
        services.AddHostedService<EarlyService>();
        services.AddPostgresEventStreaming("Host=localhost");
        services.AddPostgresEventStreaming("Host=localhost");

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).ToArray();

        Assert.Equal(typeof(MigrationHostedService), hosted[0].ImplementationType);
        Assert.Single(hosted, d => d.ImplementationType == typeof(MigrationHostedService));
    }

    [Theory]
    [InlineData("Event-Streaming", "SchemaName")]
    [InlineData("drop table x;--", "SchemaName")]
    [InlineData("", "SchemaName")]
    [InlineData("9starts_with_digit", "SchemaName")]
    public void Invalid_schema_names_are_rejected_at_startup_with_what_to_fix(string schema, string expected)
    {
        using var services = new ServiceCollection().AddPostgresEventStreaming(o =>
        {
            o.ConnectionString = "Host=localhost";
            o.SchemaName = schema;
        }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("lower-case letters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_database_configuration_is_rejected_with_what_to_fix()
    {
        using var services = new ServiceCollection().AddPostgresEventStreaming(_ => { }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value);

        Assert.Contains("AddNpgsqlDataSource", error.Message, StringComparison.Ordinal);
    }

    private sealed class EarlyService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
