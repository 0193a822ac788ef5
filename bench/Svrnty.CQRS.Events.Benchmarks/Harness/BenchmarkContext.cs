namespace Svrnty.CQRS.Events.Benchmarks.Harness;

/// <summary>One implementation (and variant) of a workload: what one run of <c>n</c> events does.</summary>
internal sealed record Entrant(string Implementation, string? Variant, Func<int, CancellationToken, Task<RunSample>> Run)
{
    public string Label(string workload) => Variant is null ? $"{workload} / {Implementation}" : $"{workload} ({Variant}) / {Implementation}";
}

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

    /// <summary>Whether the stream workloads also run <c>svrnty-postgres-jsonb</c> (<c>--compare-jsonb</c>).</summary>
    public bool CompareJsonb { get; init; }

    public IReadOnlyList<BenchmarkResult> Results => _results;

    /// <summary>Workloads listed but not run, with the reason (e.g. a feature not built yet).</summary>
    public List<(string Workload, string Reason)> Pending { get; } = [];

    /// <summary>Records a result measured outside <see cref="MeasureAsync"/>.</summary>
    public void Add(BenchmarkResult result) => _results.Add(result);

    /// <summary>
    /// One warm-up run of <see cref="Harness.Sizes.Warmup"/> events per entrant, then <see cref="Harness.Sizes.Runs"/>
    /// rounds in which every entrant does one measured run of <paramref name="size"/> events, each after a full garbage
    /// collection. Rounds interleave the entrants (and rotate who goes first), so that load from elsewhere on a shared
    /// machine falls on all of them alike instead of on whichever ran last. Records one result per entrant.
    /// </summary>
    public async Task<IReadOnlyList<BenchmarkResult>> MeasureAsync(string workload, int size, IReadOnlyList<Entrant> entrants,
        CancellationToken cancellationToken)
    {
        foreach (var entrant in entrants)
        {
            await Progress.WriteLineAsync($"  {entrant.Label(workload)}: warm-up");
            await entrant.Run(Sizes.Warmup(size), cancellationToken);
        }

        var samples = entrants.Select(_ => new List<RunSample>(Sizes.Runs)).ToArray();
        for (var round = 0; round < Sizes.Runs; round++)
        {
            for (var k = 0; k < entrants.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var index = (round + k) % entrants.Count;
                GC.Collect();
                GC.WaitForPendingFinalizers();
                samples[index].Add(await entrants[index].Run(size, cancellationToken));
            }
        }

        var results = new List<BenchmarkResult>(entrants.Count);
        for (var i = 0; i < entrants.Count; i++)
        {
            var result = BenchmarkResult.From(workload, entrants[i].Implementation, entrants[i].Variant, samples[i]);
            results.Add(result);
            _results.Add(result);
            await Progress.WriteLineAsync(FormattableString.Invariant(
                $"  {entrants[i].Label(workload)}: {result.EventsPerSecond:N0}/s (spread {result.SpreadPercent:N0}%), p50 {result.P50Ms:N3} ms, p99 {result.P99Ms:N3} ms"));
        }

        return results;
    }
}
