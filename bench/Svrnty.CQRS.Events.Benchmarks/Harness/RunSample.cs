using System.Diagnostics;

namespace Svrnty.CQRS.Events.Benchmarks.Harness;

/// <summary>What one run did: events (or messages) moved, wall time, and the latency of each operation in it.</summary>
internal sealed record RunSample(long Events, TimeSpan Elapsed, IReadOnlyList<double> LatenciesMs)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}

/// <summary>Records operation latencies from <see cref="Stopwatch"/> timestamps; one per writer, merged at the end.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly List<double> _latencies = new(capacity);

    public IReadOnlyList<double> Latencies => _latencies;

    public static long Start() => Stopwatch.GetTimestamp();

    public void Stop(long start) => _latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);

    public static IReadOnlyList<double> Merge(IEnumerable<LatencyRecorder> recorders) =>
        recorders.SelectMany(r => r._latencies).ToArray();
}
