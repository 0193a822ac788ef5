using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Reliability;

/// <summary>
/// A PostgreSQL server of the test class's own, which it may stop, restart and fill with roles: a
/// <see cref="LocalPostgresCluster"/> from the server binaries on this machine. It never skips: without the binaries
/// every test of the class fails and says how to install them.
/// </summary>
public sealed class OwnServerFixture : IAsyncLifetime
{
    private LocalPostgresCluster? _cluster;

    public LocalPostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The superuser's connection string, with a password the server ignores (trust), to prove it never leaks.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(Cluster.ConnectionString)
    {
        Password = Secret,
        Timeout = 5,
        ApplicationName = "svrnty-tests",
    }.ConnectionString;

    public const string Secret = "hunter2-never-logged";

    public async Task InitializeAsync()
    {
        var bin = LocalPostgresCluster.FindBinaries() ?? throw new InvalidOperationException(
            "The fault tests stop and restart a PostgreSQL server of their own, so they need PostgreSQL's server binaries (initdb, pg_ctl) " +
            "on PATH or under /usr/lib/postgresql/*/bin. Install them (Debian: apt-get install postgresql); eng/test.sh and .ci/run do it when run as root.");
        _cluster = await LocalPostgresCluster.StartAsync(bin);
    }

    public Task DisposeAsync()
    {
        _cluster?.Stop();
        return Task.CompletedTask;
    }

    /// <summary>Runs SQL as the superuser.</summary>
    public async Task ExecuteAsync(string sql, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(Cluster.ConnectionString) { Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
