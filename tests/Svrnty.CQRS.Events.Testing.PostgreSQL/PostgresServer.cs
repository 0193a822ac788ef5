using Npgsql;
using Testcontainers.PostgreSql;

namespace Svrnty.CQRS.Events.Testing;

/// <summary>
/// The PostgreSQL server the tests run against, found once per test run in this order:
/// 1. the connection string in <c>SVRNTY_TEST_POSTGRES</c> (a role that may create databases);
/// 2. Docker reachable: a Testcontainers PostgreSQL container;
/// 3. PostgreSQL's own binaries (<c>initdb</c>, <c>pg_ctl</c>) on the machine: a <see cref="LocalPostgresCluster"/>,
///    removed when the process exits.
/// None of these: every PostgreSQL test fails with a message that says how to provide one. Tests never skip.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "SVRNTY_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>The connection string of a database the tests may use (and create schemas and databases from).</summary>
    public static Task<string> GetConnectionStringAsync() => Server.Value;

    /// <summary>A new empty database on the server, for tests that need one to themselves.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await GetConnectionStringAsync();
        var name = $"svrnty_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        var failures = new List<string>();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        failures.Add($"{EnvironmentVariable} is not set");

        if (DockerLooksReachable())
        {
            try
            {
                var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
                await container.StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
                return container.GetConnectionString();
            }
            catch (Exception e)
            {
                failures.Add($"Docker looked reachable but Testcontainers failed: {e.Message}");
            }
        }
        else
        {
            failures.Add("Docker is not reachable");
        }

        if (LocalPostgresCluster.FindBinaries() is { } bin)
        {
            var cluster = await LocalPostgresCluster.StartAsync(bin);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
            return cluster.ConnectionString;
        }

        failures.Add("PostgreSQL's initdb and pg_ctl are not on PATH nor under /usr/lib/postgresql/*/bin");
        throw new InvalidOperationException(
            "No PostgreSQL server for the tests: " + string.Join("; ", failures) + ". Provide one of: " +
            $"{EnvironmentVariable}='Host=...;Username=...;Password=...' (a role that may create databases), " +
            "a running Docker engine, or the PostgreSQL server binaries (Debian: apt-get install postgresql).");
    }

    private static bool DockerLooksReachable() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock");
}
