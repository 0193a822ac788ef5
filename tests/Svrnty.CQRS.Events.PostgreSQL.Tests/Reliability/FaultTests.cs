using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Reliability;

/// <summary>
/// Faults on a server of the class's own (docs/reliability.md): a restart in the middle of a workload, a consumer's
/// connections killed while it holds leases, an exhausted pool. Nothing appended is lost or duplicated, errors are
/// PostgreSQL errors that say what happened, and the same service provider works again once the server is back.
/// </summary>
public sealed class FaultTests(OwnServerFixture server, ITestOutputHelper output) : IClassFixture<OwnServerFixture>
{
    /// <summary>The whole workload's budget, restarts included.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_server_restart_in_the_middle_of_appends_dequeues_and_acks_loses_and_duplicates_nothing()
    {
        const int appenders = 3, eventsPerAppender = 150, messages = 150, consumers = 2;
        var logs = new CapturingLoggerProvider();
        await using var services = TestServices.Build(server.ConnectionString, TestServices.NewSchema(), logs: logs);
        await EventStoreFixture.StartHostedServicesAsync(services);
        var store = services.GetRequiredService<IEventStreamStore>();
        const string stream = "restart-stream", queue = "restart-queue";
        var failures = new ConcurrentQueue<Exception>();
        var appended = new ConcurrentDictionary<int, List<string>>();
        var acked = new ConcurrentDictionary<string, int>();
        var enqueued = new ConcurrentBag<string>();
        var progress = 0;
        using var timeout = new CancellationTokenSource(Budget);

        // The application's own loop around a call: a failed call is reported and made again, with the same event, so an
        // append that did commit before its reply was lost is recognised by its EventId and not appended twice.
        async Task<T> UntilDoneAsync<T>(Func<Task<T>> call)
        {
            while (true)
            {
                timeout.Token.ThrowIfCancellationRequested();
                try
                {
                    return await call();
                }
                catch (NpgsqlException e)
                {
                    failures.Enqueue(e);
                    await Task.Delay(50, timeout.Token); // a pause before the next try, not a synchronisation
                }
            }
        }

        var producers = Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
        {
            var mine = appended[a] = [];
            for (var i = 0; i < eventsPerAppender; i++)
            {
                var e = new TestEvent($"appender-{a}", i);
                await UntilDoneAsync(() => store.AppendAsync(stream, e, timeout.Token));
                mine.Add(e.EventId);
                Interlocked.Increment(ref progress);
            }
        })).ToList();
        producers.Add(Task.Run(async () =>
        {
            for (var i = 0; i < messages; i++)
            {
                var e = new TestEvent("message", i);
                await UntilDoneAsync(async () =>
                {
                    await store.EnqueueAsync(queue, e, timeout.Token);
                    return true;
                });
                enqueued.Add(e.EventId);
            }
        }));
        var consuming = Enumerable.Range(0, consumers).Select(c => Task.Run(async () =>
        {
            var consumer = $"consumer-{c}";
            while (acked.Count < messages)
            {
                var message = await UntilDoneAsync(() => store.DequeueAsync(queue, consumer, TimeSpan.FromSeconds(2), timeout.Token));
                if (message is null)
                {
                    await Task.Delay(20, timeout.Token); // an idle poll
                    continue;
                }

                if (await UntilDoneAsync(() => store.AcknowledgeAsync(queue, message.EventId, consumer, timeout.Token)))
                {
                    acked.AddOrUpdate(message.EventId, 1, (_, n) => n + 1);
                }
            }
        })).ToArray();

        // Restart the server once a third of the appends are in.
        await Deadline.UntilAsync(() => Volatile.Read(ref progress) >= appenders * eventsPerAppender / 3, "a third of the appends are in");

        var down = Stopwatch.StartNew();
        await server.Cluster.StopServerAsync(timeout.Token);
        await server.Cluster.StartServerAsync(timeout.Token);
        var downtime = down.Elapsed;
        await Task.WhenAll(producers.Concat(consuming));

        // Every appended event is in the stream exactly once, each appender's in its own order, at gapless offsets.
        var stored = await store.ReadStreamAsync(stream, 0, 10_000);
        Assert.Equal(appenders * eventsPerAppender, stored.Count);
        Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Select(e => e.Offset));
        Assert.Equal(appended.Values.SelectMany(ids => ids).Order(StringComparer.Ordinal), stored.Select(e => e.EventId).Order(StringComparer.Ordinal));
        foreach (var ids in appended.Values)
        {
            Assert.Equal(ids, stored.Where(e => ids.Contains(e.EventId)).Select(e => e.EventId));
        }

        Assert.Equal(appenders * eventsPerAppender, await store.GetStreamLengthAsync(stream));

        // Every enqueued message was acknowledged; none is left.
        Assert.Equal(enqueued.Order(StringComparer.Ordinal), acked.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, await store.GetPendingCountAsync(queue));

        // The restart was felt: calls failed or were retried, and each failure is a PostgreSQL error saying what happened.
        var retries = logs.Entries.Count(e => e.Id.Id == 1200);
        Assert.True(failures.Count + retries > 0, "The restart went unnoticed: no call failed or was retried.");
        Assert.All(failures, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(OwnServerFixture.Secret, StringComparison.Ordinal));

        // The same provider works again without a restart of the application.
        Assert.Equal(appenders * eventsPerAppender, await store.AppendAsync(stream, new TestEvent("after", 0)));
        output.WriteLine(
            $"restart: server down and up in {downtime.TotalSeconds:F1} s; {appenders * eventsPerAppender} appends, {messages} enqueues, {acked.Values.Sum()} acks; " +
            $"{failures.Count} calls failed and were made again by the caller ({string.Join(", ", failures.GroupBy(f => f is PostgresException p ? p.SqlState : f.InnerException?.GetType().Name ?? f.GetType().Name).Select(g => $"{g.Key} x{g.Count()}"))}), " +
            $"{retries} retried by the store; 0 lost, 0 duplicated, offsets gapless");
    }

    [Fact]
    public async Task A_consumer_whose_connections_are_killed_while_it_holds_leases_loses_nothing()
    {
        var schema = TestServices.NewSchema();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        string Named(string application) => new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = application }.ConnectionString;
        // Retry backoff waits on the injected clock, which is fake here: retry at once.
        await using var victimServices = TestServices.Build(Named("victim"), schema, configure: s => s.AddSingleton<TimeProvider>(time)
            .Configure<PostgresEventStreamingOptions>(o => o.Retry = new PostgresRetryOptions { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }));
        await using var rescuerServices = TestServices.Build(Named("rescuer"), schema, configure: s => s.AddSingleton<TimeProvider>(time));
        await EventStoreFixture.StartHostedServicesAsync(victimServices);
        await EventStoreFixture.StartHostedServicesAsync(rescuerServices);
        var victim = victimServices.GetRequiredService<IEventStreamStore>();
        var rescuer = rescuerServices.GetRequiredService<IEventStreamStore>();
        var lease = TimeSpan.FromSeconds(30);
        var sent = Enumerable.Range(0, 5).Select(i => new TestEvent("lease", i)).ToArray();
        foreach (var e in sent)
        {
            await victim.EnqueueAsync("leases", e);
        }

        var held = new[] { await victim.DequeueAsync("leases", "victim", lease), await victim.DequeueAsync("leases", "victim", lease), await victim.DequeueAsync("leases", "victim", lease) };
        await server.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'victim'");

        // The victim's pooled connections are dead; its next call is retried on a new one and succeeds.
        Assert.True(await victim.AcknowledgeAsync("leases", held[0]!.EventId, "victim"));

        // The victim stops here, holding two leases. Another consumer gets the two messages never leased at once, and the
        // two held ones after the visibility timeout, delivered for the second time.
        var acked = new List<string> { held[0]!.EventId };
        async Task<int> DrainAsync()
        {
            var n = 0;
            while (await rescuer.DequeueAsync("leases", "rescuer", lease) is { } m)
            {
                Assert.True(await rescuer.AcknowledgeAsync("leases", m.EventId, "rescuer"));
                acked.Add(m.EventId);
                n++;
            }

            return n;
        }

        Assert.Equal(2, await DrainAsync());
        time.Advance(lease + TimeSpan.FromSeconds(1));
        Assert.Equal(2, await DrainAsync());
        Assert.Equal(sent.Select(e => e.EventId).Order(StringComparer.Ordinal), acked.Order(StringComparer.Ordinal));
        Assert.Equal(0, await rescuer.GetPendingCountAsync("leases"));
        Assert.Equal(0, await rescuerServices.GetRequiredService<IDeadLetterStore>().CountAsync("leases"));
    }

    [Fact]
    public async Task An_exhausted_pool_fails_with_a_clear_timeout_within_the_connection_timeout_and_recovers()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { MaxPoolSize = 2, Timeout = 2 }.ConnectionString;
        await using var services = TestServices.Build(connectionString, TestServices.NewSchema());
        await EventStoreFixture.StartHostedServicesAsync(services);
        var store = services.GetRequiredService<IEventStreamStore>();
        await store.AppendAsync("pool", new TestEvent("warm-up", 0));
        var dataSource = services.GetRequiredService<PostgresDatabase>().DataSource;

        var held = new[] { await dataSource.OpenConnectionAsync(), await dataSource.OpenConnectionAsync() };
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<NpgsqlException>(() => store.AppendAsync("pool", new TestEvent("starved", 1)));
        var waited = clock.Elapsed;

        Assert.Contains("pool", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.True(waited < TimeSpan.FromSeconds(5), $"Waited {waited} for a 2 s pool timeout: the timeout must not be retried.");
        foreach (var connection in held)
        {
            await connection.DisposeAsync();
        }

        Assert.Equal(1, await store.AppendAsync("pool", new TestEvent("fed", 2)));
        output.WriteLine($"pool exhausted: {error.GetType().Name} after {waited.TotalSeconds:F1} s (Timeout=2): {error.Message}");
    }
}
