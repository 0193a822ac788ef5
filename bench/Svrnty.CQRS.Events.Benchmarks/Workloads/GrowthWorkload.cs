using System.Diagnostics;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>
/// Does our PostgreSQL store slow down as the log grows? <c>growth-append</c>: append-single on an empty table and on
/// a table that already holds <see cref="Sizes.GrowthPrefill"/> events. <c>growth-read</c>: the time of one page of
/// 1,000 read at random offsets of a short stream and of a stream of <see cref="Sizes.GrowthPrefill"/> events.
/// The pre-fill is a binary COPY of the rows an append would write, then VACUUM ANALYZE.
/// </summary>
internal sealed class GrowthWorkload : Workload
{
    public override string Name => "growth";

    public override string Description => "append-single on an empty vs a pre-filled table; page reads on a short vs a long stream (ours only)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        await using var contenders = new Contenders<SvrntyPostgresContender>
        {
            await SvrntyPostgresContender.CreateAsync(context.ConnectionString, cancellationToken),
            await SvrntyPostgresContender.CreateAsync(context.ConnectionString, cancellationToken),
        };
        var (empty, filled) = (contenders[0], contenders[1]);
        var longStream = NewStream("long");
        var shortStream = NewStream("short");
        var fill = Stopwatch.StartNew();
        await context.Progress.WriteLineAsync($"  growth: pre-filling {sizes.GrowthPrefill:N0} events (binary COPY, then VACUUM ANALYZE)");
        await filled.CopyPrefillAsync(longStream, sizes.GrowthPrefill, cancellationToken);
        await filled.CopyPrefillAsync(shortStream, sizes.GrowthShortStream, cancellationToken);
        await context.Progress.WriteLineAsync($"  growth: pre-filled in {fill.Elapsed.TotalSeconds:N0} s");

        await context.MeasureAsync("growth-append", sizes.AppendSingleEvents,
        [
            new Entrant(empty.Implementation, "prefill=0", (n, ct) => AppendSingleWorkload.AppendSingleAsync(empty, n, ct)),
            new Entrant(filled.Implementation, $"prefill={sizes.GrowthPrefill}", (n, ct) => AppendSingleWorkload.AppendSingleAsync(filled, n, ct)),
        ], cancellationToken);

        var pageSize = sizes.PageSize;
        await context.MeasureAsync("growth-read", sizes.GrowthPagesPerRun * pageSize,
        [
            new Entrant(filled.Implementation, $"stream={sizes.GrowthShortStream}", (n, ct) => RandomPagesAsync(filled, shortStream, sizes.GrowthShortStream, n, pageSize, ct)),
            new Entrant(filled.Implementation, $"stream={sizes.GrowthPrefill}", (n, ct) => RandomPagesAsync(filled, longStream, sizes.GrowthPrefill, n, pageSize, ct)),
        ], cancellationToken);
    }

    private static async Task<RunSample> RandomPagesAsync(SvrntyPostgresContender contender, string stream, int length, int n, int pageSize,
        CancellationToken cancellationToken)
    {
        var pages = Math.Max(1, n / pageSize);
        var latencies = new LatencyRecorder(pages);
        var read = 0L;
        var total = Stopwatch.StartNew();
        for (var p = 0; p < pages; p++)
        {
            var from = Random.Shared.NextInt64(0, Math.Max(1, length - pageSize));
            var start = LatencyRecorder.Start();
            read += await contender.ReadPageAsync(stream, from, pageSize, cancellationToken);
            latencies.Stop(start);
        }

        return new RunSample(read, total.Elapsed, latencies.Latencies);
    }
}
