namespace Svrnty.CQRS.Events.Benchmarks.Harness;

/// <summary>What a workload needs: where PostgreSQL is, how big to go, where results and progress go.</summary>
internal sealed class BenchmarkContext(string? connectionString, Sizes sizes, TextWriter progress)
{
    private readonly List<BenchmarkResult> _results = [];

    /// <summary>A database where the harness may create and drop schemas; null runs the in-memory workloads only.</summary>
    public string ConnectionString =>
        connectionString ?? throw new InvalidOperationException("This workload needs PostgreSQL: pass --connection or install the PostgreSQL binaries.");

    public bool HasPostgres => connectionString is not null;

    public Sizes Sizes { get; } = sizes;

    public TextWriter Progress { get; } = progress;

    public IReadOnlyList<BenchmarkResult> Results => _results;

    /// <summary>Workloads listed but not run, with the reason (e.g. a feature not built yet).</summary>
    public List<(string Workload, string Reason)> Pending { get; } = [];

    /// <summary>Records a result measured outside <see cref="MeasureAsync"/>.</summary>
    public void Add(BenchmarkResult result) => _results.Add(result);

    /// <summary>
    /// One warm-up run of <see cref="Harness.Sizes.Warmup"/> operations, then <see cref="Harness.Sizes.Runs"/> measured
    /// runs of <paramref name="size"/>, each after a full garbage collection; records and returns the result.
    /// </summary>
    public async Task<BenchmarkResult> MeasureAsync(string workload, string implementation, string? variant, int size,
        Func<int, CancellationToken, Task<RunSample>> run, CancellationToken cancellationToken)
    {
        var label = variant is null ? $"{workload} / {implementation}" : $"{workload} ({variant}) / {implementation}";
        await Progress.WriteLineAsync($"  {label}: warm-up");
        await run(Sizes.Warmup(size), cancellationToken);
        var samples = new List<RunSample>(Sizes.Runs);
        for (var i = 0; i < Sizes.Runs; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            samples.Add(await run(size, cancellationToken));
        }

        var result = BenchmarkResult.From(workload, implementation, variant, samples);
        _results.Add(result);
        await Progress.WriteLineAsync(FormattableString.Invariant(
            $"  {label}: {result.EventsPerSecond:N0}/s (spread {result.SpreadPercent:N0}%), p50 {result.P50Ms:N3} ms, p99 {result.P99Ms:N3} ms"));
        return result;
    }
}
