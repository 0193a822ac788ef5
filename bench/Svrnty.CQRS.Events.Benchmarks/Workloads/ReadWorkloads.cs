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
        foreach (var create in PostgresContenders())
        {
            await using var contender = await create(context, cancellationToken);
            await ReadAllAsync(context, Name, contender, context.Sizes.ReadStreamEvents, cancellationToken);
        }
    }

    /// <summary>Fills a stream (not measured), then measures reading it from the start, page by page.</summary>
    public static async Task ReadAllAsync(BenchmarkContext context, string workload, IStreamContender contender, int length,
        CancellationToken cancellationToken)
    {
        var stream = NewStream("read");
        await context.Progress.WriteLineAsync($"  {workload} / {contender.Implementation}: filling a stream of {length:N0} events");
        await contender.FillAsync(stream, length, cancellationToken);
        var pageSize = context.Sizes.PageSize;
        await context.MeasureAsync(workload, contender.Implementation, null, length, async (n, ct) =>
        {
            var latencies = new LatencyRecorder((n / pageSize) + 1);
            var read = 0L;
            var total = Stopwatch.StartNew();
            while (read < n)
            {
                var start = LatencyRecorder.Start();
                var count = await contender.ReadPageAsync(stream, read, (int)Math.Min(pageSize, n - read), ct);
                latencies.Stop(start);
                if (count == 0)
                {
                    throw new InvalidOperationException($"{contender.Implementation}: the stream ended at {read}, expected {n} events.");
                }

                read += count;
            }

            return new RunSample(read, total.Elapsed, latencies.Latencies);
        }, cancellationToken);
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
        foreach (var contender in new IStreamContender[] { new SvrntyInMemoryContender(), new LockedListContender() })
        {
            await using (contender)
            {
                await ReadWorkload.ReadAllAsync(context, Name, contender, context.Sizes.InMemoryEvents, cancellationToken);
            }
        }
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
        foreach (var contender in new IStreamContender[] { new SvrntyInMemoryContender(), new LockedListContender() })
        {
            await using (contender)
            {
                await context.MeasureAsync(Name, contender.Implementation, null, context.Sizes.InMemoryEvents,
                    (n, ct) => AppendSingleWorkload.AppendSingleAsync(contender, n, ct), cancellationToken);
            }
        }
    }
}
