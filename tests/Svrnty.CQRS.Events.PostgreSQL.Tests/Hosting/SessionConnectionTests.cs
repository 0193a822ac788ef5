using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Hosting;

/// <summary>
/// The long-lived session connections (consumer-group locks, the LISTEN connection, the migrator's lock): both ends
/// probe them, so that a silent network loss is noticed in seconds, not hours.
/// </summary>
public sealed class SessionConnectionTests
{
    [Theory]
    [InlineData("Host=localhost", true, 10, 2)]
    [InlineData("Host=localhost;Tcp Keepalive Time=30", false, 30, 0)]
    [InlineData("Host=localhost;TCP Keepalive=true", true, 0, 0)]
    [InlineData("Host=localhost;Tcp Keepalive Interval=5;Tcp Keepalive Time=60", false, 60, 5)]
    public void Session_connections_use_short_tcp_keepalives_unless_the_connection_string_sets_them(
        string connectionString, bool keepalive, int time, int interval)
    {
        using var dataSource = PostgresDatabase.CreateSessionDataSource(connectionString);

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.False(settings.Pooling);
        Assert.Equal(keepalive, settings.TcpKeepAlive);
        Assert.Equal(time, settings.TcpKeepAliveTime);
        Assert.Equal(interval, settings.TcpKeepAliveInterval);
    }

    [Fact]
    public async Task The_server_probes_a_session_connection_after_ten_seconds_of_silence()
    {
        // PostgreSQL's defaults leave it to the OS (two hours on Linux) to notice a client that vanished, holding its locks.
        await using var services = TestServices.Build(await PostgresServer.GetConnectionStringAsync(), TestServices.NewSchema(), autoMigrate: false);
        var database = services.GetRequiredService<PostgresDatabase>();

        await using var session = await database.SessionDataSource.OpenConnectionAsync();

        Assert.Equal(["10", "2", "9"], await ServerKeepalivesAsync(session));
    }

    [Fact]
    public async Task Server_keepalives_given_in_the_connection_string_options_are_kept()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.GetConnectionStringAsync())
        {
            Options = "-c tcp_keepalives_idle=60",
        }.ConnectionString;
        await using var dataSource = PostgresDatabase.CreateSessionDataSource(connectionString);

        await using var session = await dataSource.OpenConnectionAsync();

        var server = await ServerKeepalivesAsync(session);
        Assert.Equal("60", server[0]);
        Assert.NotEqual("2", server[1]);
    }

    [Fact]
    public async Task The_application_s_own_data_source_is_left_as_it_is()
    {
        var connectionString = await PostgresServer.GetConnectionStringAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(dataSource);
        services.AddPostgresEventStreaming(o => o.SchemaName = TestServices.NewSchema());
        await using var provider = services.BuildServiceProvider();
        var database = provider.GetRequiredService<PostgresDatabase>();

        await using var session = await database.SessionDataSource.OpenConnectionAsync();
        await using var plain = await NpgsqlDataSource.Create(connectionString).OpenConnectionAsync();

        Assert.Same(dataSource, database.SessionDataSource);
        Assert.False(new NpgsqlConnectionStringBuilder(database.SessionDataSource.ConnectionString).TcpKeepAlive);
        Assert.Equal(await ServerKeepalivesAsync(plain), await ServerKeepalivesAsync(session));
    }

    private static async Task<string[]> ServerKeepalivesAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('tcp_keepalives_idle'), current_setting('tcp_keepalives_interval'), current_setting('tcp_keepalives_count')",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return [reader.GetString(0), reader.GetString(1), reader.GetString(2)];
    }
}
