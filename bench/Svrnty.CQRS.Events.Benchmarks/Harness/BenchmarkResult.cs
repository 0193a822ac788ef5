namespace Svrnty.CQRS.Events.Benchmarks.Harness;

/// <summary>One row of the report: a workload (and variant) on one implementation, over its measured runs.</summary>
internal sealed record BenchmarkResult
{
    /// <summary>svrnty-postgres, svrnty-inmemory, marten, npgsql-raw, npgsql-raw-prepared, skip-locked-raw or locked-list.</summary>
    public required string Workload { get; init; }

    public required string Implementation { get; init; }

    /// <summary>Which case of the workload, e.g. <c>8-streams</c>; null when it has one.</summary>
    public string? Variant { get; init; }

    /// <summary>Median over the measured runs of each run's events (or messages) per second.</summary>
    public required double EventsPerSecond { get; init; }

    public required double MinEventsPerSecond { get; init; }

    public required double MaxEventsPerSecond { get; init; }

    /// <summary>(max - min) / median of the runs' rates, in percent.</summary>
    public double SpreadPercent => EventsPerSecond > 0 ? (MaxEventsPerSecond - MinEventsPerSecond) / EventsPerSecond * 100 : 0;

    /// <summary>Median latency of one operation (an append call, a page read, a dequeue + ack) over all measured runs.</summary>
    public required double P50Ms { get; init; }

    public required double P99Ms { get; init; }

    public required int Runs { get; init; }

    /// <summary>Events (or messages) per measured run.</summary>
    public required long EventsPerRun { get; init; }

    public static BenchmarkResult From(string workload, string implementation, string? variant, IReadOnlyList<RunSample> runs)
    {
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var rates = runs.Select(r => r.EventsPerSecond).Order().ToArray();
        var latencies = runs.SelectMany(r => r.LatenciesMs).Order().ToArray();
        return new BenchmarkResult
        {
            Workload = workload,
            Implementation = implementation,
            Variant = variant,
            EventsPerSecond = Statistics.Median(rates),
            MinEventsPerSecond = rates[0],
            MaxEventsPerSecond = rates[^1],
            P50Ms = Statistics.Percentile(latencies, 50),
            P99Ms = Statistics.Percentile(latencies, 99),
            Runs = runs.Count,
            EventsPerRun = runs[0].Events,
        };
    }
}

internal static class Statistics
{
    /// <summary>The median of sorted values (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>Nearest-rank percentile of sorted values; 0 when there are none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
