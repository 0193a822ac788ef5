using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;
using Svrnty.CQRS.Events.Benchmarks.Harness;
using Svrnty.CQRS.Events.Benchmarks.Workloads;

namespace Svrnty.CQRS.Events.Benchmarks;

/// <summary>Runs the chosen workloads in one process, one after the other, against one PostgreSQL server.</summary>
internal static class BenchmarkRunner
{
    /// <summary>The PostgreSQL settings reported with the results.</summary>
    private static readonly string[] ReportedSettings =
        ["server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "max_wal_size", "max_connections"];

    public static async Task<BenchmarkContext> RunAsync(string? connectionString, Sizes sizes, IReadOnlyList<Workload> workloads,
        TextWriter progress, bool compareJsonb, CancellationToken cancellationToken)
    {
        var context = new BenchmarkContext(connectionString, sizes, progress) { CompareJsonb = compareJsonb };
        foreach (var workload in workloads)
        {
            if (workload.PendingReason is { } reason)
            {
                context.Pending.Add((workload.Name, reason));
                await progress.WriteLineAsync($"{workload.Name}: not run: {reason}");
                continue;
            }

            if (workload.NeedsPostgres && !context.HasPostgres)
            {
                context.Pending.Add((workload.Name, "no PostgreSQL server"));
                continue;
            }

            await progress.WriteLineAsync($"{workload.Name}: {workload.Description}");
            await workload.RunAsync(context, cancellationToken);
        }

        return context;
    }

    /// <summary>The machine, the runtime, the libraries and the server settings of this run.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> DescribeEnvironmentAsync(string? connectionString, Sizes sizes,
        CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["sizes"] = sizes.Name,
            ["processors"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["memoryGiB"] = (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture),
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["npgsql"] = typeof(NpgsqlConnection).Assembly.GetName().Version?.ToString() ?? "?",
            ["marten"] = typeof(Marten.DocumentStore).Assembly.GetName().Version?.ToString() ?? "?",
            ["martenAppendMode"] = new Marten.StoreOptions().Events.AppendMode.ToString(),
            ["payloadBytes"] = Payload.Serialize(Payload.Create(123_456)).Length.ToString(CultureInfo.InvariantCulture),
        };
        if (connectionString is null)
        {
            return environment;
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        foreach (var setting in ReportedSettings)
        {
            await using var command = dataSource.CreateCommand($"SHOW {setting}");
            environment["postgres." + setting] = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        return environment;
    }
}
