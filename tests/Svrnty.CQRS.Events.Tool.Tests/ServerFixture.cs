using Npgsql;

namespace Svrnty.CQRS.Events.Tool.Tests;

/// <summary>
/// A PostgreSQL server of the test class's own, where it creates roles and databases as a DBA would: a
/// <see cref="LocalPostgresCluster"/> from the server binaries on this machine (docs/testing.md). Without them every
/// test of the class fails and says how to install them; none skips.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private LocalPostgresCluster? _cluster;

    /// <summary>A password in every connection string (the cluster trusts local connections), to show it never leaks.</summary>
    public const string Secret = "tool-secret-never-printed";

    public async Task InitializeAsync()
    {
        var bin = LocalPostgresCluster.FindBinaries() ?? throw new InvalidOperationException(
            "The tool tests create roles on a PostgreSQL server of their own, so they need PostgreSQL's server binaries (initdb, pg_ctl) " +
            "on PATH or under /usr/lib/postgresql/*/bin. Install them (Debian: apt-get install postgresql); eng/test.sh and .ci/run do it when run as root.");
        _cluster = await LocalPostgresCluster.StartAsync(bin);
    }

    public Task DisposeAsync()
    {
        _cluster?.Stop();
        return Task.CompletedTask;
    }

    /// <summary>A connection string for <paramref name="role"/> (the superuser by default) on <paramref name="database"/>.</summary>
    public string ConnectionString(string database, string role = "postgres") =>
        new NpgsqlConnectionStringBuilder((_cluster ?? throw new InvalidOperationException("The server is not started.")).ConnectionString)
        {
            Database = database, Username = role, Password = Secret, Pooling = false, Timeout = 10,
        }.ConnectionString;

    /// <summary>A new database, owned by the superuser.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"tool_{Guid.NewGuid():N}"[..20];
        await ExecuteAsync("postgres", $"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>Runs SQL (one statement or a script) as <paramref name="role"/>, the superuser by default.</summary>
    public async Task ExecuteAsync(string database, string sql, string role = "postgres")
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database, role));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<List<string>> QueryAsync(string database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
