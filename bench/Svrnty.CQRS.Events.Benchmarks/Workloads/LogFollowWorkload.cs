using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>
/// 8 writers append one event per call over 64 streams of 4 categories while one subscriber follows everything: ours
/// through <c>IEventStreamSubscriber.SubscribeAsync(LogStreams.All, ...)</c> (the background log sequencer running, as
/// in an application), Marten through a subscription run by its async daemon. The rate is the writers' append rate;
/// the latency of an event is from its append call returning to the subscriber receiving it. The subscriber must
/// receive every event of the run exactly once, each stream's events in offset order, and (ours) the <c>$all</c>
/// positions gapless from 0; anything else fails the workload.
/// </summary>
internal sealed class LogFollowWorkload : Workload
{
    /// <summary>How long a run waits for its last event to reach the subscriber before it fails.</summary>
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] Categories = ["order", "payment", "shipment", "invoice"];

    public override string Name => "log-follow";

    public override string Description =>
        "8 writers, one event per call, over 64 streams of 4 categories, while one subscriber follows $all (Marten: async daemon subscription); p50/p99 from append returned to received";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var contenders = new Contenders<ILogFollowContender>
        {
            await SvrntyLogFollower.CreateAsync(context.ConnectionString, cancellationToken),
            await MartenDaemonFollower.CreateAsync(context.ConnectionString, cancellationToken),
        };
        var writers = context.Sizes.ConcurrentWriters;
        var streams = Enumerable.Range(0, context.Sizes.LogFollowStreams).Select(i => NewStream(Categories[i % Categories.Length])).ToArray();
        await context.MeasureAsync(Name, context.Sizes.LogFollowEvents,
            contenders.Select(c => new Entrant(c.Implementation, null, (n, ct) => RunWritersAsync(c, streams, writers, n, ct))).ToArray(),
            cancellationToken);
        foreach (var contender in contenders)
        {
            await context.Progress.WriteLineAsync(
                $"  {Name} / {contender.Implementation}: {contender.Probe.ReceivedBeforeReturn:N0} events received before their append returned (counted as 0 ms), {contender.Probe.PositionGaps:N0} positions skipped (all runs)");
        }
    }

    /// <summary>
    /// Writer <c>w</c> appends its share of <paramref name="count"/> events round-robin over its own streams (w, w + writers,
    /// ...), so appenders never queue on a stream's row, then the run waits until the subscriber has received them all.
    /// </summary>
    private static async Task<RunSample> RunWritersAsync(ILogFollowContender contender, string[] streams, int writers, int count,
        CancellationToken cancellationToken)
    {
        var perWriter = Math.Max(1, count / writers);
        var streamsPerWriter = streams.Length / writers;
        var events = Enumerable.Range(0, writers).Select(w => Payload.Batch((long)w * perWriter, perWriter)).ToArray();
        var returned = Enumerable.Range(0, writers).Select(_ => new long[perWriter]).ToArray();
        var delivered = contender.Probe.Expect(events.SelectMany(e => e).Select(e => e.EventId));
        using var go = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await go.WaitAsync(cancellationToken);
            for (var i = 0; i < perWriter; i++)
            {
                await contender.AppendAsync(streams[w + (writers * (i % streamsPerWriter))], events[w][i], cancellationToken);
                returned[w][i] = Stopwatch.GetTimestamp();
            }
        }, cancellationToken)).ToArray();
        var total = Stopwatch.StartNew();
        go.Release(writers);
        await Task.WhenAll(tasks);
        var elapsed = total.Elapsed;

        IReadOnlyDictionary<string, long> received;
        try
        {
            received = await delivered.WaitAsync(DeliveryTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException(
                $"log-follow / {contender.Implementation}: the subscriber received {contender.Probe.ReceivedInRun:N0} of {writers * perWriter:N0} events within {DeliveryTimeout.TotalSeconds:N0} s of the appends.");
        }

        var latencies = new double[writers * perWriter];
        contender.Probe.Latencies(events, returned, received, latencies, 0);

        return new RunSample(writers * perWriter, elapsed, latencies);
    }

    /// <summary>An implementation of a store with a subscriber following all of its events.</summary>
    internal interface ILogFollowContender : IAsyncDisposable
    {
        string Implementation { get; }

        LogFollowProbe Probe { get; }

        Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken);
    }

    /// <summary>Ours: the PostgreSQL contender (hosted services running: the log sequencer) and a subscription to <c>$all</c>.</summary>
    private sealed class SvrntyLogFollower : ILogFollowContender
    {
        private readonly SvrntyPostgresContender _store;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _follow;

        private SvrntyLogFollower(SvrntyPostgresContender store)
        {
            _store = store;
            var subscriber = store.Services.GetRequiredService<IEventStreamSubscriber>();
            var options = new SubscriptionOptions { Start = SubscriptionStart.Beginning };
            _follow = Task.Run(() => Probe.FollowAsync(subscriber.SubscribeAsync(LogStreams.All, "log-follow", options, _stop.Token), _stop.Token));
        }

        public string Implementation => _store.Implementation;

        public LogFollowProbe Probe { get; } = new("svrnty-postgres", firstPosition: 0, gapless: true);

        public static async Task<SvrntyLogFollower> CreateAsync(string connectionString, CancellationToken cancellationToken) =>
            new(await SvrntyPostgresContender.CreateAsync(connectionString, cancellationToken));

        public Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken) =>
            _store.AppendAsync(stream, @event, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _follow;
            _stop.Dispose();
            await _store.DisposeAsync();
        }
    }
}

/// <summary>
/// What the subscriber received: checks each event against the run's expected ids (exactly once), each stream's
/// offsets (in order, none skipped) and the positions (gapless, or for Marten increasing), and records when each
/// event arrived. A violation fails the run.
/// </summary>
internal sealed class LogFollowProbe(string implementation, long firstPosition, bool gapless, string workload = "log-follow")
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _nextOffsets = new(StringComparer.Ordinal);
    private HashSet<string> _expected = new(StringComparer.Ordinal);
    private Dictionary<string, long> _received = new(StringComparer.Ordinal);
    private TaskCompletionSource<IReadOnlyDictionary<string, long>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextPosition = firstPosition;
    private string? _failure;
    private long _receivedBeforeReturn;

    /// <summary>Positions the subscriber skipped (Marten: sequence numbers never committed; ours: always 0).</summary>
    public long PositionGaps { get; private set; }

    public long ReceivedBeforeReturn => Interlocked.Read(ref _receivedBeforeReturn);

    public int ReceivedInRun
    {
        get
        {
            lock (_gate)
            {
                return _received.Count;
            }
        }
    }

    /// <summary>Starts a run: completes with the arrival time of each of <paramref name="eventIds"/> once all have arrived.</summary>
    public Task<IReadOnlyDictionary<string, long>> Expect(IEnumerable<string> eventIds)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw new InvalidOperationException(_failure);
            }

            if (_expected.Count != _received.Count)
            {
                throw new InvalidOperationException($"{workload} / {implementation}: a run started before the previous one was received.");
            }

            _expected = new HashSet<string>(eventIds, StringComparer.Ordinal);
            _received = new Dictionary<string, long>(_expected.Count, StringComparer.Ordinal);
            _done = new TaskCompletionSource<IReadOnlyDictionary<string, long>>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _done.Task;
        }
    }

    public void Received(string eventId, string stream, long offset, long position)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (!_seen.Add(eventId))
            {
                Fail($"event {eventId} ({stream}@{offset}) received twice, the second time at position {position}.");
                return;
            }

            if (!_expected.Contains(eventId))
            {
                Fail($"event {eventId} ({stream}@{offset}, position {position}) is not one of the run's appends.");
                return;
            }

            if (position < _nextPosition || (gapless && position != _nextPosition))
            {
                Fail($"event {eventId} ({stream}@{offset}) at position {position}; expected {(gapless ? "" : "at least ")}{_nextPosition}.");
                return;
            }

            PositionGaps += position - _nextPosition;
            _nextPosition = position + 1;
            var nextOffset = _nextOffsets.GetValueOrDefault(stream);
            if (offset != nextOffset)
            {
                Fail($"event {eventId} of {stream} at offset {offset} (position {position}); the stream's next offset is {nextOffset}.");
                return;
            }

            _nextOffsets[stream] = offset + 1;
            _received[eventId] = now;
            if (_received.Count == _expected.Count)
            {
                _done.TrySetResult(_received);
            }
        }
    }

    /// <summary>Records what a subscription delivers until <paramref name="stop"/> is cancelled; a failing subscription
    /// fails the run.</summary>
    public async Task FollowAsync(IAsyncEnumerable<StoredEvent> subscription, CancellationToken stop)
    {
        try
        {
            await foreach (var e in subscription.WithCancellation(stop))
            {
                Received(e.EventId, e.StreamName, e.Offset, e.Position);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail($"the subscription failed: {e}");
        }
    }

    /// <summary>
    /// Each event's latency in ms from its append returning (<paramref name="returned"/>[writer][i], a
    /// <see cref="Stopwatch"/> timestamp) to its arrival here (<paramref name="received"/>), written into
    /// <paramref name="latencies"/> from <paramref name="at"/>; an event that arrived before its append returned counts
    /// as 0 ms, and is counted (<see cref="ReceivedBeforeReturn"/>).
    /// </summary>
    public void Latencies(OrderPlaced[][] events, long[][] returned, IReadOnlyDictionary<string, long> received, double[] latencies, int at)
    {
        for (var w = 0; w < events.Length; w++)
        {
            for (var i = 0; i < events[w].Length; i++)
            {
                var ms = Stopwatch.GetElapsedTime(returned[w][i], received[events[w][i].EventId]).TotalMilliseconds;
                if (ms < 0)
                {
                    Interlocked.Increment(ref _receivedBeforeReturn);
                }

                latencies[at++] = Math.Max(0, ms);
            }
        }
    }

    public void Fail(string message)
    {
        lock (_gate)
        {
            _failure ??= $"{workload} / {implementation}: {message}";
            _done.TrySetException(new InvalidOperationException(_failure));
        }
    }
}
