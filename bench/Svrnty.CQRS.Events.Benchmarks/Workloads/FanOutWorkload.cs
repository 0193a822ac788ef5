using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>
/// Many live subscribers on one log: <see cref="Sizes.FanOutWriters"/> writers append one event per call, paced so that
/// together they offer <see cref="Sizes.FanOutRate"/> events per second, to streams of one category, while N
/// subscribers in the same process follow the category's log through <c>IEventStreamSubscriber.SubscribeAsync</c>
/// (default options), one variant per N of <see cref="Sizes.FanOutSubscribers"/>. The rate is the deliveries per second
/// to all subscribers (N × events, from the first append to the last delivery); the latency of a delivery is from the
/// event's append call returning to that subscriber receiving it. Every subscriber must receive every event of the run
/// exactly once, each stream in offset order, the log's positions gapless from 0, or the workload fails. Each variant
/// gets new stores (PostgreSQL: a new schema, so a pool and a LISTEN connection of its own).
/// </summary>
internal sealed class FanOutWorkload : Workload
{
    /// <summary>How long a run waits for its last delivery before it fails.</summary>
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(120);

    private const string Category = "order";

    private const string ApplicationName = "svrnty-bench-fan-out";

    /// <summary>The streams each writer appends to, round-robin.</summary>
    private const int StreamsPerWriter = 8;

    public override string Name => "fan-out";

    public override string Description =>
        "4 writers paced to 1,000 events/s in all, one category, while N subscribers follow its log ($ce-order); deliveries/s, p50/p99 from append returned to each subscriber receiving";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var sizes = context.Sizes;
        foreach (var subscribers in sizes.FanOutSubscribers)
        {
            var variant = subscribers == 1 ? "1-subscriber" : $"{subscribers}-subscribers";
            await using var contenders = new Contenders<FanOutContender>
            {
                await FanOutContender.CreatePostgresAsync(context.ConnectionString, subscribers, cancellationToken),
                await FanOutContender.CreateInMemoryAsync(subscribers, cancellationToken),
            };
            await context.MeasureAsync(Name, sizes.FanOutEvents, contenders.Select(c => new Entrant(c.Implementation, variant,
                (n, ct) => c.RunAsync(n, sizes.FanOutWriters, sizes.FanOutRate, ct))).ToArray(), cancellationToken);
            foreach (var contender in contenders)
            {
                var connections = await contender.DescribeConnectionsAsync(cancellationToken);
                await context.Progress.WriteLineAsync(
                    $"  {Name} ({variant}) / {contender.Implementation}: appends {Statistics.Median(contender.AppendRates.Order().ToArray()):N0}/s (median of runs, offered {sizes.FanOutRate:N0}/s), {contender.ReceivedBeforeReturn:N0} deliveries before their append returned (counted as 0 ms){connections}");
            }
        }
    }

    /// <summary>One backend with N subscribers following the category's log, started once and fed by every run.</summary>
    internal sealed class FanOutContender : IAsyncDisposable
    {
        private readonly IAsyncDisposable _owner;
        private readonly IHostedService[] _hosted;
        private readonly IEventStreamStore _store;
        private readonly LogFollowProbe[] _probes;
        private readonly Task[] _subscriptions;
        private readonly CancellationTokenSource _stop = new();
        private readonly string? _connectionString;

        private FanOutContender(string implementation, IAsyncDisposable owner, IServiceProvider services, IHostedService[] hosted, int subscribers,
            string? connectionString)
        {
            Implementation = implementation;
            _owner = owner;
            _hosted = hosted;
            _store = services.GetRequiredService<IEventStreamStore>();
            _connectionString = connectionString;
            _probes = Enumerable.Range(0, subscribers)
                .Select(i => new LogFollowProbe($"{implementation} subscriber {i}", firstPosition: 0, gapless: true, workload: "fan-out"))
                .ToArray();
            var subscriber = services.GetRequiredService<IEventStreamSubscriber>();
            _subscriptions = _probes.Select((probe, i) => Task.Run(() =>
                probe.FollowAsync(subscriber.SubscribeAsync(LogStreams.Category(Category), $"fan-out-{i}", cancellationToken: _stop.Token), _stop.Token))).ToArray();
        }

        public string Implementation { get; }

        /// <summary>Each measured or warm-up run's append rate (all writers), to show whether they kept the pace.</summary>
        public List<double> AppendRates { get; } = [];

        public long ReceivedBeforeReturn => _probes.Sum(p => p.ReceivedBeforeReturn);

        /// <summary>Ours on PostgreSQL: the contender's store (hosted services running: the log sequencer).</summary>
        public static async Task<FanOutContender> CreatePostgresAsync(string connectionString, int subscribers, CancellationToken cancellationToken)
        {
            // Its connections carry an application name, so that they can be counted on a server shared with others.
            connectionString = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = ApplicationName }.ConnectionString;
            var store = await SvrntyPostgresContender.CreateAsync(connectionString, cancellationToken);
            return new FanOutContender(store.Implementation, store, store.Services, [], subscribers, connectionString);
        }

        public static async Task<FanOutContender> CreateInMemoryAsync(int subscribers, CancellationToken cancellationToken)
        {
            var services = new ServiceCollection().AddLogging().AddInMemoryEventStorage().BuildServiceProvider();
            var hosted = services.GetServices<IHostedService>().ToArray();
            foreach (var service in hosted)
            {
                await service.StartAsync(cancellationToken);
            }

            return new FanOutContender("svrnty-inmemory", services, services, hosted, subscribers, connectionString: null);
        }

        /// <summary>
        /// Writer <c>w</c> appends its share of <paramref name="count"/> events round-robin over its own new streams, at
        /// <paramref name="rate"/> / <paramref name="writers"/> events per second (on a fixed schedule, staggered between
        /// writers, so a late append is followed by the next at once); then the run waits until every subscriber has
        /// received them all.
        /// </summary>
        public async Task<RunSample> RunAsync(int count, int writers, int rate, CancellationToken cancellationToken)
        {
            var perWriter = Math.Max(1, count / writers);
            var streams = Enumerable.Range(0, writers * StreamsPerWriter).Select(_ => NewStream(Category)).ToArray();
            var events = Enumerable.Range(0, writers).Select(w => Payload.Batch((long)w * perWriter, perWriter)).ToArray();
            var returned = Enumerable.Range(0, writers).Select(_ => new long[perWriter]).ToArray();
            var ids = events.SelectMany(e => e).Select(e => e.EventId).ToArray();
            var deliveries = _probes.Select(p => p.Expect(ids)).ToArray();
            var gap = Stopwatch.Frequency / (double)rate; // between two appends of all writers together
            var start = Stopwatch.GetTimestamp();
            var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    var due = start + (long)(gap * ((i * writers) + w));
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellationToken);
                    }

                    await _store.AppendAsync(streams[w + (writers * (i % StreamsPerWriter))], events[w][i], cancellationToken);
                    returned[w][i] = Stopwatch.GetTimestamp();
                }
            }, cancellationToken)).ToArray();
            await Task.WhenAll(tasks);
            var appended = Stopwatch.GetElapsedTime(start);
            AppendRates.Add(writers * perWriter / appended.TotalSeconds);

            IReadOnlyDictionary<string, long>[] received;
            try
            {
                received = await Task.WhenAll(deliveries).WaitAsync(DeliveryTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException(
                    $"fan-out / {Implementation}: within {DeliveryTimeout.TotalSeconds:N0} s of the appends the {_probes.Length} subscribers received {string.Join(", ", _probes.Select(p => p.ReceivedInRun).Distinct().Order())} of {ids.Length:N0} events.");
            }

            var latencies = new double[received.Length * ids.Length];
            for (var s = 0; s < received.Length; s++)
            {
                _probes[s].Latencies(events, returned, received[s], latencies, s * ids.Length);
            }

            var last = received.Max(r => r.Values.Max());
            return new RunSample(latencies.Length, Stopwatch.GetElapsedTime(start, last), latencies);
        }

        /// <summary>
        /// PostgreSQL: the server connections of the contender open now (after the runs, so the pool still holds what the
        /// busiest moment opened: Npgsql closes idle pooled connections only after 300 s); the harness's connection that
        /// dropped the previous variant's schema (same connection string, still pooled) is left out.
        /// </summary>
        public async Task<string> DescribeConnectionsAsync(CancellationToken cancellationToken)
        {
            if (_connectionString is null)
            {
                return "";
            }

            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("""
                SELECT count(*), count(*) FILTER (WHERE query ILIKE 'LISTEN%')
                FROM pg_stat_activity
                WHERE application_name = $1 AND pid <> pg_backend_pid() AND query NOT ILIKE 'DROP SCHEMA%'
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ApplicationName });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return $"; server connections open after the runs: {reader.GetInt64(0)} (of which LISTEN: {reader.GetInt64(1)})";
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_subscriptions);
            _stop.Dispose();
            foreach (var service in _hosted.Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }

            await _owner.DisposeAsync();
        }
    }
}
