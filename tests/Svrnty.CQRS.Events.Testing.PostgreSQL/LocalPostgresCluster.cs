using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Svrnty.CQRS.Events.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster made from the binaries on this machine (<c>initdb</c>, <c>pg_ctl</c>): a temporary
/// directory, a free loopback port, trust authentication, run as the <c>postgres</c> user when the process is root.
/// Disposing it stops the server at once and removes every file. A cluster left by a process that was killed before it
/// could dispose is removed by the next <see cref="StartAsync"/>.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private const string DirectoryPrefix = "svrnty-pg-";

    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asRoot;
    private int _stopped;

    private LocalPostgresCluster(string bin, string directory, bool asRoot, int port, IReadOnlyDictionary<string, string> settings)
    {
        _bin = bin;
        _directory = directory;
        _asRoot = asRoot;
        Port = port;
        Settings = settings;
    }

    /// <summary>
    /// The settings the tests use: durability off (<c>fsync</c>, <c>synchronous_commit</c>, <c>full_page_writes</c>),
    /// because a throwaway cluster never needs to survive a crash, and room for parallel test classes.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DefaultSettings { get; } = new Dictionary<string, string>
    {
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",
        ["max_connections"] = "200",
        ["shared_buffers"] = "128MB",
    };

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The server settings given on its command line (besides port, socket directory and listen address).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>A connection string for the <c>postgres</c> superuser on the <c>postgres</c> database.</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";

    /// <summary>The directory holding PostgreSQL's <c>initdb</c> and <c>pg_ctl</c>: on <c>PATH</c>, else the newest
    /// <c>/usr/lib/postgresql/*/bin</c>; null when there is none.</summary>
    public static string? FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>Creates and starts a cluster.</summary>
    /// <param name="bin">The directory of <c>initdb</c> and <c>pg_ctl</c> (see <see cref="FindBinaries"/>).</param>
    /// <param name="settings">Server settings; <see cref="DefaultSettings"/> when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LocalPostgresCluster> StartAsync(string bin, IReadOnlyDictionary<string, string>? settings = null,
        CancellationToken cancellationToken = default)
    {
        settings ??= DefaultSettings;
        var asRoot = Environment.UserName == "root";
        await RemoveStaleClustersAsync(bin, asRoot, cancellationToken).ConfigureAwait(false);
        var directory = Path.Combine(Path.GetTempPath(), $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", directory], false, cancellationToken).ConfigureAwait(false);
        }

        var cluster = new LocalPostgresCluster(bin, directory, asRoot, FreePort(), settings);
        try
        {
            var data = cluster.DataDirectory;
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
                asRoot, cancellationToken).ConfigureAwait(false);
            await cluster.StartServerAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            cluster.Stop();
            throw;
        }
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Starts the server of this cluster (after <see cref="StopServerAsync"/>), on the same port and data.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task StartServerAsync(CancellationToken cancellationToken = default)
    {
        var options = $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 " + string.Join(' ', Settings.Select(s => $"-c {s.Key}={s.Value}"));
        return RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-o", options, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "start"],
            _asRoot, cancellationToken);
    }

    /// <summary>Stops the server and keeps its data: a fast shutdown, so every session is terminated (57P01) and
    /// transactions in flight roll back, as in a real restart or failover.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task StopServerAsync(CancellationToken cancellationToken = default) =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], _asRoot, cancellationToken);

    /// <summary>Stops the server as a crash would: <c>pg_ctl stop -m immediate</c>, every process killed without a
    /// checkpoint, sessions cut. The data stays; a start afterwards runs crash recovery.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task CrashServerAsync(CancellationToken cancellationToken = default) =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"], _asRoot, cancellationToken);

    /// <summary>
    /// Builds a streaming standby of this server and starts it: a new directory and loopback port, the data copied with
    /// <c>pg_basebackup -R -X stream</c> (which also writes <c>primary_conninfo</c> and <c>standby.signal</c>), run as the
    /// same user. The standby connects as <paramref name="name"/> (its <c>cluster_name</c>), the name this server's
    /// <c>synchronous_standby_names</c> may list. Dispose it like any cluster.
    /// </summary>
    /// <param name="name">The standby's name, as the primary's <c>pg_stat_replication.application_name</c> shows it.</param>
    /// <param name="settings">The standby's server settings; <see cref="DefaultSettings"/> when null.</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    public async Task<LocalPostgresCluster> StartStandbyAsync(string name, IReadOnlyDictionary<string, string>? settings = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var merged = new Dictionary<string, string>(settings ?? DefaultSettings) { ["cluster_name"] = name };
        var directory = Path.Combine(Path.GetTempPath(), $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        if (_asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", directory], false, cancellationToken).ConfigureAwait(false);
        }

        var standby = new LocalPostgresCluster(_bin, directory, _asRoot, FreePort(), merged);
        try
        {
            await RunAsync(Tool("pg_basebackup"),
                ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-D", standby.DataDirectory, "-R", "-X", "stream",
                 "-c", "fast", "--no-sync"], _asRoot, cancellationToken).ConfigureAwait(false);
            await standby.StartServerAsync(cancellationToken).ConfigureAwait(false);
            return standby;
        }
        catch
        {
            standby.Stop();
            throw;
        }
    }

    /// <summary>A tool beside <c>pg_ctl</c>: in <see cref="FindBinaries"/>'s directory, else in the one <c>pg_ctl</c> links to
    /// (a PATH directory may hold links to a few of PostgreSQL's binaries only).</summary>
    private string Tool(string name)
    {
        var beside = Path.Combine(_bin, name);
        if (File.Exists(beside))
        {
            return beside;
        }

        var pgCtl = new FileInfo(Path.Combine(_bin, "pg_ctl"));
        var real = pgCtl.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? pgCtl.FullName;
        return Path.Combine(Path.GetDirectoryName(real)!, name);
    }

    /// <summary>Promotes this standby to a primary (<c>pg_ctl promote -w</c>: returns once it accepts writes).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task PromoteAsync(CancellationToken cancellationToken = default) =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-w", "-t", "60", "promote"], _asRoot, cancellationToken);

    /// <summary>Makes this primary refuse replication connections from now on (a rule ahead of the others in
    /// <c>pg_hba.conf</c>, then a reload): with its walsenders terminated, a standby stops receiving WAL, as when the
    /// network between them fails, while the primary goes on committing (unless a synchronous standby is required).</summary>
    /// <param name="connectionString">A superuser connection to this server, to reload and end the walsenders.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task CutReplicationAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var hba = Path.Combine(DataDirectory, "pg_hba.conf");
        var rules = await File.ReadAllTextAsync(hba, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(hba, "host replication all all reject\n" + rules, cancellationToken).ConfigureAwait(false);
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT pg_reload_conf(); SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'walsender'", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server at once and removes its files; safe to call more than once (and from a process-exit handler).</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            using var stop = Process.Start(Command(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "stop"], _asRoot));
            stop?.WaitForExit(10_000);
        }

        TryDelete(_directory);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    /// <summary>Clusters left by processes that were killed before they could remove theirs.</summary>
    private static async Task RemoveStaleClustersAsync(string bin, bool asRoot, CancellationToken cancellationToken)
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var parts = Path.GetFileName(directory).Split('-');
            if (parts.Length < 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || ProcessIsAlive(pid))
            {
                continue;
            }

            var data = Path.Combine(directory, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                using var stop = Process.Start(Command(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot));
                if (stop is not null)
                {
                    await stop.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
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

    private static async Task RunAsync(string file, string[] args, bool asPostgres, CancellationToken cancellationToken)
    {
        using var process = Process.Start(Command(file, args, asPostgres)) ?? throw new InvalidOperationException($"Cannot start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', args)} failed with exit code {process.ExitCode}: " +
                $"{await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }
}
