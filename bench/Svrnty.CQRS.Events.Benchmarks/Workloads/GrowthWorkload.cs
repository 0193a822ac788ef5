using System.Diagnostics;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>
/// Does our PostgreSQL store slow down as the log grows? <c>growth-append</c>: append-single on an empty table and on
/// a table that already holds <see cref="Sizes.GrowthPrefill"/> events. <c>growth-read</c>: the time of one page of
/// 1,000 read at random offsets of a short stream and of a stream of <see cref="Sizes.GrowthPrefill"/> events.
/// The pre-fill is a binary COPY of the rows <c>append_events</c> would write, then VACUUM ANALYZE.
/// </summary>
internal sealed class GrowthWorkload : Workload
{
    public override string Name => "growth";

    public override string Description => "append-single on an empty vs a pre-filled table; page reads on a short vs a long stream (ours only)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        await using (var empty = await SvrntyPostgresContender.CreateAsync(context.ConnectionString, cancellationToken))
        {
            await context.MeasureAsync("growth-append", empty.Implementation, "prefill=0", sizes.AppendSingleEvents,
                (n, ct) => AppendSingleWorkload.AppendSingleAsync(empty, n, ct), cancellationToken);
        }

        await using var filled = await SvrntyPostgresContender.CreateAsync(context.ConnectionString, cancellationToken);
        var longStream = NewStream("long");
        var shortStream = NewStream("short");
        var fill = Stopwatch.StartNew();
        await context.Progress.WriteLineAsync($"  growth: pre-filling {sizes.GrowthPrefill:N0} events (binary COPY, then VACUUM ANALYZE)");
        await filled.CopyPrefillAsync(longStream, sizes.GrowthPrefill, cancellationToken);
        await filled.CopyPrefillAsync(shortStream, sizes.GrowthShortStream, cancellationToken);
        await context.Progress.WriteLineAsync($"  growth: pre-filled in {fill.Elapsed.TotalSeconds:N0} s");

        await context.MeasureAsync("growth-append", filled.Implementation, $"prefill={sizes.GrowthPrefill}", sizes.AppendSingleEvents,
            (n, ct) => AppendSingleWorkload.AppendSingleAsync(filled, n, ct), cancellationToken);

        foreach (var (stream, length) in new[] { (shortStream, sizes.GrowthShortStream), (longStream, sizes.GrowthPrefill) })
        {
            var random = new Random(42);
            var pageSize = sizes.PageSize;
            await context.MeasureAsync("growth-read", filled.Implementation, $"stream={length}", sizes.GrowthPagesPerRun * pageSize, async (n, ct) =>
            {
                var pages = Math.Max(1, n / pageSize);
                var latencies = new LatencyRecorder(pages);
                var read = 0L;
                var total = Stopwatch.StartNew();
                for (var p = 0; p < pages; p++)
                {
                    var from = random.NextInt64(0, Math.Max(1, length - pageSize));
                    var start = LatencyRecorder.Start();
                    read += await filled.ReadPageAsync(stream, from, pageSize, ct);
                    latencies.Stop(start);
                }

                return new RunSample(read, total.Elapsed, latencies.Latencies);
            }, cancellationToken);
        }
    }
}
