namespace Svrnty.CQRS.Events.Benchmarks.Harness;

/// <summary>
/// A target of the issue: the rate of ours (a workload, variant and implementation) divided by the rate of a baseline
/// measured in the same run must be at least <see cref="Minimum"/>.
/// </summary>
internal sealed record Target(string Workload, string? Variant, string Ours, string Baseline, string? BaselineVariant, double Minimum)
{
    public static IReadOnlyList<Target> All { get; } =
    [
        new("append-single", null, "svrnty-postgres", "marten", null, 1.2),
        new("append-single", null, "svrnty-postgres", "npgsql-raw", null, 0.8),
        new("append-single", null, "svrnty-postgres", "npgsql-raw-prepared", null, 0.8),
        new("append-batch", null, "svrnty-postgres", "marten", null, 1.5),
        new("append-batch", null, "svrnty-postgres", "npgsql-raw", null, 0.5),
        new("append-batch", null, "svrnty-postgres", "npgsql-raw-prepared", null, 0),
        new("append-concurrent", "8-streams", "svrnty-postgres", "marten", "8-streams", 1.2),
        new("append-concurrent", "8-streams", "svrnty-postgres", "npgsql-raw", "8-streams", 0),
        new("append-concurrent", "1-stream", "svrnty-postgres", "marten", "1-stream", 0),
        new("read", null, "svrnty-postgres", "marten", null, 1.5),
        new("read", null, "svrnty-postgres", "npgsql-raw", null, 0.6),
        new("read", null, "svrnty-postgres", "npgsql-raw-prepared", null, 0.8),
        new("queue", "dequeue+ack", "svrnty-postgres", "skip-locked-raw", "dequeue+ack", 0.8),
        new("queue", "enqueue", "svrnty-postgres", "skip-locked-raw", "enqueue", 0),
        new("batch-outbox", null, "svrnty-postgres", "svrnty-postgres-two-calls", null, 1.5),
        new("inmemory-append", null, "svrnty-inmemory", "locked-list", null, 0.25),
        new("inmemory-read", null, "svrnty-inmemory", "locked-list", null, 0),
    ];

    /// <summary>The growth targets compare our store with itself: the pre-filled row within 20% of the empty one.</summary>
    public static IEnumerable<Target> Growth(IReadOnlyList<BenchmarkResult> results)
    {
        foreach (var workload in new[] { "growth-append", "growth-read" })
        {
            var rows = results.Where(r => r.Workload == workload).ToArray();
            if (rows.Length == 2)
            {
                yield return new Target(workload, rows[1].Variant, rows[1].Implementation, rows[0].Implementation, rows[0].Variant, 0.8);
            }
        }
    }

    public string Label => Variant is null ? Workload : $"{Workload} ({Variant})";

    public string BaselineLabel => BaselineVariant is null || BaselineVariant == Variant ? Baseline : $"{Baseline} ({BaselineVariant})";

    /// <summary>Ours / baseline, or null when either is missing from the run.</summary>
    public double? Ratio(IReadOnlyList<BenchmarkResult> results)
    {
        var ours = results.FirstOrDefault(r => r.Workload == Workload && r.Variant == Variant && r.Implementation == Ours);
        var baseline = results.FirstOrDefault(r => r.Workload == Workload && r.Variant == BaselineVariant && r.Implementation == Baseline);
        return ours is null || baseline is null || baseline.EventsPerSecond == 0 ? null : ours.EventsPerSecond / baseline.EventsPerSecond;
    }
}
