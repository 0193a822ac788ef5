using System.Diagnostics;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>One writer, one event per call, on a new stream each run.</summary>
internal sealed class AppendSingleWorkload : Workload
{
    public override string Name => "append-single";

    public override string Description => "one writer, one event per call, on one stream (raw: autocommit INSERT)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var contenders = await PostgresContendersAsync(context, cancellationToken);
        await context.MeasureAsync(Name, context.Sizes.AppendSingleEvents,
            contenders.Select(c => new Entrant(c.Implementation, null, (n, ct) => AppendSingleAsync(c, n, ct))).ToArray(), cancellationToken);
    }

    /// <summary>Appends <paramref name="count"/> events one call at a time to a new stream, timing each call.</summary>
    public static async Task<RunSample> AppendSingleAsync(IStreamContender contender, int count, CancellationToken cancellationToken)
    {
        var stream = NewStream("single");
        var events = Payload.Batch(0, count);
        var latencies = new LatencyRecorder(count);
        var total = Stopwatch.StartNew();
        foreach (var e in events)
        {
            var start = LatencyRecorder.Start();
            await contender.AppendAsync(stream, e, cancellationToken);
            latencies.Stop(start);
        }

        return new RunSample(count, total.Elapsed, latencies.Latencies);
    }
}

/// <summary>One writer, batches of 100 events per call (raw: one binary COPY per batch).</summary>
internal sealed class AppendBatchWorkload : Workload
{
    public override string Name => "append-batch";

    public override string Description => "one writer, batches of 100 per call (raw: binary COPY of each batch)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var batchSize = context.Sizes.BatchSize;
        await using var contenders = await PostgresContendersAsync(context, cancellationToken);
        await context.MeasureAsync(Name, context.Sizes.AppendBatchEvents, contenders.Select(c => new Entrant(c.Implementation, null, async (n, ct) =>
        {
            var stream = NewStream("batch");
            var batches = Payload.Batch(0, n).Chunk(batchSize).ToArray();
            var latencies = new LatencyRecorder(batches.Length);
            var total = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                var start = LatencyRecorder.Start();
                await c.AppendBatchAsync(stream, batch, ct);
                latencies.Stop(start);
            }

            return new RunSample(n, total.Elapsed, latencies.Latencies);
        })).ToArray(), cancellationToken);
    }
}

/// <summary>8 writers appending single events: each on its own stream, then all on one stream (checked gapless).</summary>
internal sealed class AppendConcurrentWorkload : Workload
{
    public override string Name => "append-concurrent";

    public override string Description => "8 writers, one event per call: on 8 streams, and on one stream (offsets checked gapless after each run)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var writers = context.Sizes.ConcurrentWriters;
        var size = writers * context.Sizes.ConcurrentEventsPerWriter;
        await using var contenders = await PostgresContendersAsync(context, cancellationToken);
        await context.MeasureAsync(Name, size, contenders.Select(c => new Entrant(c.Implementation, $"{writers}-streams", (n, ct) =>
        {
            var streams = Enumerable.Range(0, writers).Select(_ => NewStream("concurrent")).ToArray();
            return RunWritersAsync(c, i => streams[i], writers, n / writers, ct);
        })).ToArray(), cancellationToken);

        // The raw limit counts offsets on the client, which is only right with one writer per stream.
        await context.MeasureAsync(Name, size, contenders.Where(c => c is not RawNpgsqlContender).Select(c => new Entrant(c.Implementation, "1-stream",
            async (n, ct) =>
            {
                var stream = NewStream("shared");
                await c.AppendAsync(stream, Payload.Create(-1), ct); // every implementation starts from an existing stream
                var sample = await RunWritersAsync(c, _ => stream, writers, n / writers, ct);
                await c.AssertGaplessAsync(stream, sample.Events + 1, ct);
                return sample;
            })).ToArray(), cancellationToken);
        foreach (var marten in contenders.OfType<MartenContender>())
        {
            await context.Progress.WriteLineAsync($"  {Name} (1-stream) / marten: {marten.ConflictRetries:N0} appends retried after a version conflict (all runs)");
        }
    }

    private static async Task<RunSample> RunWritersAsync(IStreamContender contender, Func<int, string> streamOf, int writers, int perWriter,
        CancellationToken cancellationToken)
    {
        perWriter = Math.Max(1, perWriter);
        var recorders = Enumerable.Range(0, writers).Select(_ => new LatencyRecorder(perWriter)).ToArray();
        var events = Enumerable.Range(0, writers).Select(w => Payload.Batch((long)w * perWriter, perWriter)).ToArray();
        using var go = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await go.WaitAsync(cancellationToken);
            var stream = streamOf(w);
            foreach (var e in events[w])
            {
                var start = LatencyRecorder.Start();
                await contender.AppendAsync(stream, e, cancellationToken);
                recorders[w].Stop(start);
            }
        }, cancellationToken)).ToArray();
        var total = Stopwatch.StartNew();
        go.Release(writers);
        await Task.WhenAll(tasks);
        return new RunSample((long)writers * perWriter, total.Elapsed, LatencyRecorder.Merge(recorders));
    }
}
