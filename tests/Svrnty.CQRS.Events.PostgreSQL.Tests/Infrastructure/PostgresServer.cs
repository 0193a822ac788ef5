using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run against, found once per test run in this order:
/// 1. the connection string in <c>SVRNTY_TEST_POSTGRES</c> (a role that may create databases);
/// 2. Docker reachable: a Testcontainers PostgreSQL container;
/// 3. PostgreSQL's own binaries (<c>initdb</c>, <c>pg_ctl</c>) on the machine: a throwaway cluster in a temporary
///    directory on a free loopback port (as the <c>postgres</c> user when running as root), removed afterwards.
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

        if (FindPostgresBinaries() is { } bin)
        {
            return await LocalCluster.StartAsync(bin);
        }

        failures.Add("PostgreSQL's initdb and pg_ctl are not on PATH nor under /usr/lib/postgresql/*/bin");
        throw new InvalidOperationException(
            "No PostgreSQL server for the tests: " + string.Join("; ", failures) + ". Provide one of: " +
            $"{EnvironmentVariable}='Host=...;Username=...;Password=...' (a role that may create databases), " +
            "a running Docker engine, or the PostgreSQL server binaries (Debian: apt-get install postgresql).");
    }

    private static bool DockerLooksReachable() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock");

    private static string? FindPostgresBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>A throwaway cluster: initdb in a temporary directory, started on a free loopback port.</summary>
    private static class LocalCluster
    {
        public static async Task<string> StartAsync(string bin)
        {
            var asRoot = Environment.UserName == "root";
            await RemoveStaleClustersAsync(bin, asRoot);
            var directory = Path.Combine(Path.GetTempPath(), $"svrnty-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
            Directory.CreateDirectory(directory);
            if (asRoot)
            {
                await RunAsync("chown", ["postgres:postgres", directory]);
            }

            var data = Path.Combine(directory, "data");
            var port = FreePort();
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], asRoot);
            var settings = $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                           "-c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB";
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", settings, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start"], asRoot);

            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                // Best effort: stop at once and remove every file; the directory is ours alone.
                using var stop = Process.Start(Command(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot));
                stop?.WaitForExit(10_000);
                TryDelete(directory);
            };

            return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";
        }

        /// <summary>Clusters left by test runs that were killed before their exit handler ran.</summary>
        private static async Task RemoveStaleClustersAsync(string bin, bool asRoot)
        {
            foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), "svrnty-pg-*"))
            {
                var parts = Path.GetFileName(directory).Split('-');
                if (parts.Length < 3 || !int.TryParse(parts[2], out var pid) || ProcessIsAlive(pid))
                {
                    continue;
                }

                var data = Path.Combine(directory, "data");
                if (File.Exists(Path.Combine(data, "postmaster.pid")))
                {
                    using var stop = Process.Start(Command(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot));
                    if (stop is not null)
                    {
                        await stop.WaitForExitAsync();
                    }
                }

                TryDelete(directory);
            }
        }

        private static bool ProcessIsAlive(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static void TryDelete(string directory)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next run's stale-cluster sweep.
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static ProcessStartInfo Command(string file, string[] args, bool asPostgres)
        {
            var info = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.WorkingDirectory = Path.GetTempPath();
            return info;
        }

        private static async Task RunAsync(string file, string[] args, bool asPostgres = false)
        {
            using var process = Process.Start(Command(file, args, asPostgres)) ?? throw new InvalidOperationException($"Cannot start {file}.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed with exit code {process.ExitCode}: {await error}{await output}");
            }
        }
    }
}
