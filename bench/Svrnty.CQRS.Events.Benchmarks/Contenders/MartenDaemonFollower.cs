using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Svrnty.CQRS.Events.Benchmarks.Workloads;

namespace Svrnty.CQRS.Events.Benchmarks.Contenders;

/// <summary>
/// Marten's answer to a <c>$all</c> subscriber: a subscription over all events (<see cref="SubscriptionBase"/>, no
/// filter) run by its async daemon, in the store of <see cref="MartenContender"/> (same defaults, one lightweight session
/// per append). The daemon is woken by LISTEN/NOTIFY (<c>UseListenNotifyForEventAppends</c>), as ours is, rather than
/// by its default 250 ms / 1 s high-water polling; the polling stays as its safety net. A subscription's events come in
/// sequence order; Marten's sequence may skip numbers (taken by appends that never commit), so positions are checked
/// increasing, not gapless.
/// </summary>
internal sealed class MartenDaemonFollower : LogFollowWorkload.ILogFollowContender
{
    private readonly DocumentStore _store;
    private readonly IProjectionDaemon _daemon;
    private readonly string _connectionString;
    private readonly string _schema;

    private MartenDaemonFollower(DocumentStore store, IProjectionDaemon daemon, LogFollowProbe probe, string connectionString, string schema)
    {
        _store = store;
        _daemon = daemon;
        Probe = probe;
        _connectionString = connectionString;
        _schema = schema;
    }

    public string Implementation => "marten";

    public LogFollowProbe Probe { get; }

    public static async Task<MartenDaemonFollower> CreateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var schema = Schemas.NewName("marten");
        var probe = new LogFollowProbe("marten", firstPosition: 1, gapless: false);
        var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = schema;
            options.Events.DatabaseSchemaName = schema;
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Events.AddEventType<OrderPlaced>();
            options.Events.UseListenNotifyForEventAppends = true;
            options.Events.Subscribe(new ProbeSubscription(probe));
            options.Projections.AsyncMode = DaemonMode.Solo; // run by the daemon built below, not by a host
            options.AutoCreateSchemaObjects = AutoCreate.All;
        });
        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var daemon = await store.BuildProjectionDaemonAsync();
            await daemon.StartAllAsync();
            return new MartenDaemonFollower(store, daemon, probe, connectionString, schema);
        }
        catch
        {
            await store.DisposeAsync();
            await Schemas.DropAsync(connectionString, schema);
            throw;
        }
    }

    public async Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken)
    {
        await using var session = _store.LightweightSession();
        session.Events.Append(stream, @event);
        await session.SaveChangesAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.StopAllAsync();
        _daemon.Dispose();
        await _store.DisposeAsync();
        await Schemas.DropAsync(_connectionString, _schema);
    }

    /// <summary>Hands every event of each page to the probe: Marten's versions count from 1, offsets from 0.</summary>
    private sealed class ProbeSubscription : SubscriptionBase
    {
        private readonly LogFollowProbe _probe;

        public ProbeSubscription(LogFollowProbe probe)
        {
            _probe = probe;
            Name = "log-follow";
        }

        public override Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations,
            CancellationToken cancellationToken)
        {
            foreach (var e in page.Events)
            {
                if (e.Data is OrderPlaced placed)
                {
                    _probe.Received(placed.EventId, e.StreamKey ?? "?", e.Version - 1, e.Sequence);
                }
                else
                {
                    _probe.Fail($"unexpected event {e.Data?.GetType().Name ?? "null"} at sequence {e.Sequence}.");
                }
            }

            return Task.FromResult<IChangeListener>(NullChangeListener.Instance);
        }
    }
}
