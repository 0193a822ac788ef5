using System.Diagnostics;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>Reads a long stream from offset 0 to its end in pages of 1,000, deserializing every event.</summary>
internal sealed class ReadWorkload : Workload
{
    public override string Name => "read";

    public override string Description => "read a stream from offset 0 in pages of 1,000 (raw: plain SELECT ... LIMIT)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var contenders = await PostgresContendersAsync(context, cancellationToken);
        await ReadAllAsync(context, Name, contenders, context.Sizes.ReadStreamEvents, cancellationToken);
    }

    /// <summary>Fills a stream per contender (not measured), then measures reading it from the start, page by page.</summary>
    public static async Task ReadAllAsync(BenchmarkContext context, string workload, IReadOnlyList<IStreamContender> contenders, int length,
        CancellationToken cancellationToken)
    {
        var entrants = new List<Entrant>();
        foreach (var contender in contenders)
        {
            var stream = NewStream("read");
            await context.Progress.WriteLineAsync($"  {workload} / {contender.Implementation}: filling a stream of {length:N0} events");
            await contender.FillAsync(stream, length, cancellationToken);
            await contender.AnalyzeAsync(cancellationToken);
            entrants.Add(new Entrant(contender.Implementation, null, (n, ct) => ReadPagesAsync(contender, stream, n, context.Sizes.PageSize, ct)));
        }

        await context.MeasureAsync(workload, length, entrants, cancellationToken);
    }

    private static async Task<RunSample> ReadPagesAsync(IStreamContender contender, string stream, int n, int pageSize, CancellationToken cancellationToken)
    {
        var latencies = new LatencyRecorder((n / pageSize) + 1);
        var read = 0L;
        var total = Stopwatch.StartNew();
        while (read < n)
        {
            var start = LatencyRecorder.Start();
            var count = await contender.ReadPageAsync(stream, read, (int)Math.Min(pageSize, n - read), cancellationToken);
            latencies.Stop(start);
            if (count == 0)
            {
                throw new InvalidOperationException($"{contender.Implementation}: the stream ended at {read}, expected {n} events.");
            }

            read += count;
        }

        return new RunSample(read, total.Elapsed, latencies.Latencies);
    }
}

/// <summary>The same read on the in-memory backend and a locked list.</summary>
internal sealed class InMemoryReadWorkload : Workload
{
    public override string Name => "inmemory-read";

    public override string Description => "read a stream from offset 0 in pages of 1,000, in memory (limit: a List<T> under a lock)";

    public override bool NeedsPostgres => false;

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var contenders = new Contenders<IStreamContender> { new SvrntyInMemoryContender(), new LockedListContender() };
        await ReadWorkload.ReadAllAsync(context, Name, contenders, context.Sizes.InMemoryEvents, cancellationToken);
    }
}

/// <summary>One writer, one event per call, in memory.</summary>
internal sealed class InMemoryAppendWorkload : Workload
{
    public override string Name => "inmemory-append";

    public override string Description => "one writer, one event per call, in memory (limit: a List<T> under a lock)";

    public override bool NeedsPostgres => false;

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var contenders = new Contenders<IStreamContender> { new SvrntyInMemoryContender(), new LockedListContender() };
        await context.MeasureAsync(Name, context.Sizes.InMemoryEvents,
            contenders.Select(c => new Entrant(c.Implementation, null, (n, ct) => AppendSingleWorkload.AppendSingleAsync(c, n, ct))).ToArray(),
            cancellationToken);
    }
}
