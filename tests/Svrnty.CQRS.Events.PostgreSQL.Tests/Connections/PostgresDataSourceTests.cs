using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Connections;

/// <summary>What only the PostgreSQL backend has to show about its connections: whose data source it uses, how its
/// own is set up, and that no password leaks from a connection string or a failed connection.</summary>
public sealed class PostgresDataSourceTests
{
    [Fact]
    public async Task The_application_s_own_data_source_is_used_and_left_open()
    {
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(dataSource);
        services.AddPostgresEventStreaming(o => o.SchemaName = TestServices.NewSchema());

        await using (var provider = services.BuildServiceProvider())
        {
            await EventStoreFixture.StartHostedServicesAsync(provider);
            Assert.Same(dataSource, provider.GetRequiredService<PostgresDatabase>().DataSource);
            Assert.Equal(0, await provider.GetRequiredService<IEventStreamStore>().AppendAsync("s", new TestEvent("x", 1)));
        }

        await using var command = dataSource.CreateCommand("SELECT 1");
        Assert.Equal(1, await command.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("Host=localhost", PostgresDatabase.DefaultMaxAutoPrepare, true)]
    [InlineData("Host=localhost;Max Auto Prepare=0;No Reset On Close=false", 0, false)]
    [InlineData("Host=localhost;maxautoprepare=5", 5, true)]
    public void The_backends_own_data_source_prepares_statements_and_skips_the_reset_unless_the_connection_string_says_otherwise(
        string connectionString, int maxAutoPrepare, bool noResetOnClose)
    {
        using var dataSource = PostgresDatabase.CreateDataSource(connectionString);

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(noResetOnClose, settings.NoResetOnClose);
    }

    [Fact]
    public void An_invalid_connection_string_is_rejected_without_echoing_the_password()
    {
        using var services = new ServiceCollection()
            .AddPostgresEventStreaming("Host=localhost;Password=s3cr3t-pw;Bogus Keyword=1").BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresEventStreamingOptions>>().Value);

        Assert.Contains("ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_connection_does_not_reveal_the_password()
    {
        await using var services = TestServices.Build("Host=127.0.0.1;Port=1;Username=u;Password=s3cr3t-pw;Timeout=2", TestServices.NewSchema(), autoMigrate: false,
            configure: s => s.Configure<PostgresEventStreamingOptions>(o => o.Retry.MaxDuration = TimeSpan.Zero)); // no retries: fail at once

        var error = await Assert.ThrowsAnyAsync<Exception>(() => services.GetRequiredService<IEventStreamStore>().GetStreamLengthAsync("s"));

        Assert.DoesNotContain("s3cr3t-pw", error.ToString(), StringComparison.Ordinal);
    }
}
