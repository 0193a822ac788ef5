using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Benchmarks.Contenders;
using Svrnty.CQRS.Events.Benchmarks.Harness;

namespace Svrnty.CQRS.Events.Benchmarks.Workloads;

/// <summary>
/// Append → the handler of a hosted stream consumer (<c>AddEventStreamConsumer</c>), as an application registers it:
/// events are appended one at a time, <see cref="Sizes.SubscriptionPace"/> apart, and the latency of each is the time
/// from the start of its <c>AppendAsync</c> to the moment the handler sees it. On PostgreSQL the consumer is woken by
/// LISTEN/NOTIFY (its poll interval is left at the default 1 s, so a missed notification would show in the p99);
/// in memory by a direct signal. The rate column is the appended-and-handled rate, bounded by the pace.
/// </summary>
internal sealed class SubscriptionLatencyWorkload : Workload
{
    public override string Name => "subscription-latency";

    public override string Description => "append one at a time -> hosted stream consumer handler, p50/p99 (PostgreSQL: LISTEN/NOTIFY; in-memory: signal)";

    public override async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var contenders = new Contenders<LatencyContender>
        {
            await LatencyContender.CreateAsync("svrnty-postgres", s => s.AddPostgresEventStreaming(o =>
            {
                o.ConnectionString = context.ConnectionString;
                o.SchemaName = Schemas.NewName("svrnty");
            }), context.ConnectionString, cancellationToken),
            await LatencyContender.CreateAsync("svrnty-inmemory", s => s.AddInMemoryEventStorage(), null, cancellationToken),
        };
        await context.MeasureAsync(Name, context.Sizes.SubscriptionEvents, contenders.Select(c => new Entrant(c.Implementation, null,
            (n, ct) => c.RunAsync(n, context.Sizes.SubscriptionPace, ct))).ToArray(), cancellationToken);
    }

    /// <summary>One backend with a hosted consumer following one stream, started once and fed by every run.</summary>
    internal sealed class LatencyContender : IAsyncDisposable
    {
        private const string Group = "latency";
        private readonly ServiceProvider _services;
        private readonly IHostedService[] _hosted;
        private readonly LatencyProbe _probe;
        private readonly IEventStreamStore _store;
        private readonly string _stream;
        private readonly string? _connectionString;
        private readonly string? _schema;
        private long _next;

        private LatencyContender(string implementation, ServiceProvider services, string stream, string? connectionString, string? schema)
        {
            Implementation = implementation;
            _services = services;
            _hosted = services.GetServices<IHostedService>().ToArray();
            _probe = services.GetRequiredService<LatencyProbe>();
            _store = services.GetRequiredService<IEventStreamStore>();
            _stream = stream;
            _connectionString = connectionString;
            _schema = schema;
        }

        public string Implementation { get; }

        public static async Task<LatencyContender> CreateAsync(string implementation, Action<IServiceCollection> backend, string? connectionString,
            CancellationToken cancellationToken)
        {
            var stream = NewStream("latency");
            var services = new ServiceCollection().AddLogging().AddSingleton<LatencyProbe>();
            backend(services);
            services.AddEventStreamConsumer<LatencyHandler>(stream, Group, o => o.Start = SubscriptionStart.Beginning);
            var provider = services.BuildServiceProvider();
            var schema = connectionString is null
                ? null
                : provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<PostgreSQL.PostgresEventStreamingOptions>>().Value.SchemaName;
            var contender = new LatencyContender(implementation, provider, stream, connectionString, schema);
            foreach (var hosted in contender._hosted)
            {
                await hosted.StartAsync(cancellationToken);
            }

            // The consumer is running (and, on PostgreSQL, listening) once it has handled a first event.
            await contender.RunAsync(1, TimeSpan.Zero, cancellationToken);
            return contender;
        }

        public async Task<RunSample> RunAsync(int n, TimeSpan pace, CancellationToken cancellationToken)
        {
            var done = _probe.Expect(n);
            var events = Payload.Batch(Interlocked.Add(ref _next, n) - n, n);
            var total = Stopwatch.StartNew();
            var next = Stopwatch.GetTimestamp();
            foreach (var e in events)
            {
                _probe.Started(e.EventId);
                await _store.AppendAsync(_stream, e, cancellationToken);
                next += (long)(pace.TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }
            }

            var latencies = await done.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return new RunSample(n, total.Elapsed, latencies);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var hosted in _hosted.Reverse())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await _services.DisposeAsync();
            if (_connectionString is not null && _schema is not null)
            {
                await Schemas.DropAsync(_connectionString, _schema);
            }
        }
    }

    /// <summary>Start times by event id, and the latencies of the events handled since the last <see cref="Expect"/>.</summary>
    internal sealed class LatencyProbe
    {
        private readonly ConcurrentDictionary<string, long> _started = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();
        private List<double> _latencies = [];
        private int _expected;
        private TaskCompletionSource<IReadOnlyList<double>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<double>> Expect(int count)
        {
            lock (_gate)
            {
                _latencies = new List<double>(count);
                _expected = count;
                _done = new TaskCompletionSource<IReadOnlyList<double>>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _done.Task;
            }
        }

        public void Started(string eventId) => _started[eventId] = Stopwatch.GetTimestamp();

        public void Handled(string eventId)
        {
            var now = Stopwatch.GetTimestamp();
            if (!_started.TryRemove(eventId, out var start))
            {
                return; // handled twice (at-least-once) or not one of ours: counted once
            }

            lock (_gate)
            {
                _latencies.Add(Stopwatch.GetElapsedTime(start, now).TotalMilliseconds);
                if (_latencies.Count == _expected)
                {
                    _done.TrySetResult(_latencies);
                }
            }
        }
    }

    internal sealed class LatencyHandler(LatencyProbe probe) : IEventStreamHandler
    {
        public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken)
        {
            probe.Handled(storedEvent.EventId);
            return Task.CompletedTask;
        }
    }
}
