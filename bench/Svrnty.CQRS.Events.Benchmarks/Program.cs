using Svrnty.CQRS.Events.Benchmarks;
using Svrnty.CQRS.Events.Benchmarks.Harness;
using Svrnty.CQRS.Events.Benchmarks.Workloads;
using Svrnty.CQRS.Events.Testing;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

var workloads = WorkloadCatalog.Select(options.Workloads);
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

LocalPostgresCluster? cluster = null;
try
{
    var connectionString = options.ConnectionString;
    if (connectionString is null && workloads.Any(w => w.NeedsPostgres && w.PendingReason is null))
    {
        var bin = LocalPostgresCluster.FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL binaries (initdb, pg_ctl) on PATH nor under /usr/lib/postgresql/*/bin: install them or pass --connection.");
        var settings = new Dictionary<string, string>(LocalPostgresCluster.DefaultSettings)
        {
            ["shared_buffers"] = "1GB",
            ["max_wal_size"] = "4GB",
        };
        Console.Error.WriteLine($"Starting a throwaway PostgreSQL cluster from {bin}...");
        cluster = await LocalPostgresCluster.StartAsync(bin, settings, cancellation.Token);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        connectionString = cluster.ConnectionString;
    }

    var environment = await BenchmarkRunner.DescribeEnvironmentAsync(connectionString, options.Sizes, cancellation.Token);
    Console.Error.WriteLine(string.Join(", ", environment.Select(e => $"{e.Key}={e.Value}")));
    var started = TimeProvider.System.GetTimestamp();
    var context = await BenchmarkRunner.RunAsync(connectionString, options.Sizes, workloads, Console.Error, options.CompareJsonb, cancellation.Token);
    Console.Error.WriteLine($"Done in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:N0} s.");

    Console.WriteLine(Report.Markdown(context));
    if (options.JsonPath is { } path)
    {
        await Report.WriteJsonAsync(path, context, environment, cancellation.Token);
        Console.Error.WriteLine($"Wrote {path}.");
    }

    return 0;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
finally
{
    if (cluster is not null)
    {
        await cluster.DisposeAsync();
    }
}
