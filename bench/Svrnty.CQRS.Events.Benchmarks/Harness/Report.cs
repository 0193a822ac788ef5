using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Svrnty.CQRS.Events.Benchmarks.Harness;

/// <summary>Writes the results as markdown (stdout) and as JSON (<c>--json</c>).</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Markdown(BenchmarkContext context)
    {
        var results = context.Results;
        var md = new StringBuilder();
        md.AppendLine("| workload | variant | implementation | events/s (median) | spread (min–max) | p50 ms | p99 ms | runs × events |");
        md.AppendLine("|---|---|---|---:|---|---:|---:|---|");
        foreach (var r in results)
        {
            md.AppendLine(Invariant(
                $"| {r.Workload} | {r.Variant ?? ""} | {r.Implementation} | {r.EventsPerSecond:N0} | ±{r.SpreadPercent / 2:N0}% ({r.MinEventsPerSecond:N0}–{r.MaxEventsPerSecond:N0}) | {r.P50Ms:N3} | {r.P99Ms:N3} | {r.Runs} × {r.EventsPerRun:N0} |"));
        }

        foreach (var (workload, reason) in context.Pending)
        {
            md.AppendLine(Invariant($"| {workload} | | | not run: {reason} | | | | |"));
        }

        md.AppendLine();
        md.AppendLine("| ratio (events/s) | ours | baseline | ours / baseline | target | |");
        md.AppendLine("|---|---|---|---:|---:|---|");
        foreach (var target in Target.All.Concat(Target.Growth(results)))
        {
            if (target.Ratio(results) is not { } ratio)
            {
                continue;
            }

            var verdict = target.Minimum <= 0 ? "(info)" : ratio >= target.Minimum ? "met" : "**missed**";
            var goal = target.Minimum <= 0 ? "" : Invariant($"≥ {target.Minimum:0.0#}×");
            md.AppendLine(Invariant($"| {target.Label} | {target.Ours} | {target.BaselineLabel} | {ratio:0.00}× | {goal} | {verdict} |"));
        }

        return md.ToString();
    }

    public static async Task WriteJsonAsync(string path, BenchmarkContext context, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken)
    {
        var document = new
        {
            results = context.Results.Select(r => new
            {
                workload = r.Workload,
                implementation = r.Implementation,
                variant = r.Variant,
                eventsPerSecond = Math.Round(r.EventsPerSecond, 1),
                minEventsPerSecond = Math.Round(r.MinEventsPerSecond, 1),
                maxEventsPerSecond = Math.Round(r.MaxEventsPerSecond, 1),
                spreadPercent = Math.Round(r.SpreadPercent, 1),
                p50Ms = Math.Round(r.P50Ms, 4),
                p99Ms = Math.Round(r.P99Ms, 4),
                runs = r.Runs,
                eventsPerRun = r.EventsPerRun,
            }),
            targets = Target.All.Concat(Target.Growth(context.Results))
                .Select(t => (Target: t, Ratio: t.Ratio(context.Results)))
                .Where(t => t.Ratio is not null)
                .Select(t => new
                {
                    workload = t.Target.Workload,
                    variant = t.Target.Variant,
                    ours = t.Target.Ours,
                    baseline = t.Target.BaselineLabel,
                    ratio = Math.Round(t.Ratio!.Value, 3),
                    minimum = t.Target.Minimum > 0 ? t.Target.Minimum : (double?)null,
                    met = t.Target.Minimum > 0 ? t.Ratio >= t.Target.Minimum : (bool?)null,
                }),
            pending = context.Pending.Select(p => new { workload = p.Workload, reason = p.Reason }),
            environment,
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, document, JsonOptions, cancellationToken);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
