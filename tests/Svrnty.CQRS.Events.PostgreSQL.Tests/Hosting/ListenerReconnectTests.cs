using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.ContractTests.Consumers;
using Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Hosting;

/// <summary>The LISTEN connection breaks: when it is back, every waiter wakes, since notifications may have been missed.</summary>
public sealed class ListenerReconnectTests
{
    [Fact]
    public async Task A_message_enqueued_while_the_listener_was_down_wakes_the_idle_workers_when_it_is_back()
    {
        var application = $"listener-{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.GetConnectionStringAsync()) { ApplicationName = application }
            .ConnectionString;
        var schema = TestServices.NewSchema();
        await using (var migration = TestServices.Build(connectionString, schema))
        {
            await EventStoreFixture.StartHostedServicesAsync(migration);
        }

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var queue = $"queue-{Guid.NewGuid():N}";
        var recorder = new Recorder();
        var counters = new QueueCounters();
        await using var services = TestServices.Build(connectionString, schema, autoMigrate: false, configure: s =>
        {
            s.AddSingleton<TimeProvider>(time);
            s.AddSingleton(recorder);
            // Polling every hour on a clock that only the test moves: only notifications wake the workers.
            s.AddQueueConsumer<RecordingQueueHandler>(queue, o => (o.Concurrency, o.PollInterval) = (2, TimeSpan.FromHours(1)));
            counters.AddTo(s);
        });
        var store = services.GetRequiredService<Abstractions.IEventStreamStore>();
        await ListeningAsync(services.GetRequiredService<IStreamChangeNotifier>(), store); // before any worker waits
        var hosted = await EventStoreFixture.StartHostedServicesAsync(services);
        try
        {
            await Deadline.UntilAsync(() => Task.FromResult(counters.Dequeues(queue) == 2 && counters.InFlight == 0), "both workers have looked and wait");
            var listener = await ListenerPidAsync(connectionString, application);

            await TestServices.ScalarAsync<bool>(connectionString, $"SELECT pg_terminate_backend({listener})");
            await Deadline.UntilAsync(() => Task.FromResult(counters.Woken(queue) == 2 && counters.Dequeues(queue) == 4 && counters.InFlight == 0),
                "both workers woke when the listener failed, looked again, and wait");
            await store.EnqueueAsync(queue, new TestEvent("missed", 1)); // no listener: its NOTIFY reaches nobody
            Assert.Equal(4, counters.Dequeues(queue));

            // The listener reconnects after its backoff (on the fake clock) and wakes every waiter, since it may have missed changes.
            await Deadline.UntilAsync(() => Task.FromResult(recorder.Messages.Count == 1), "the message is handled",
                () => time.Advance(TimeSpan.FromSeconds(1)));
            Assert.Equal(4, counters.Woken(queue));
        }
        finally
        {
            foreach (var service in hosted.Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>Waits until the notifier's listener is up and past the wake-up it gives every waiter when it starts.</summary>
    private static async Task ListeningAsync(IStreamChangeNotifier notifier, Abstractions.IEventStreamStore store)
    {
        var probe = $"probe-{Guid.NewGuid():N}";
        for (var i = 0; i < 2; i++)
        {
            using var wait = new CancellationTokenSource();
            var changed = notifier.QueueChanged(probe, wait.Token);
            await Deadline.UntilAsync(async () =>
            {
                await store.EnqueueAsync(probe, new TestEvent("probe", i));
                return changed.IsCompleted;
            }, "the listener is up");
        }
    }

    private static async Task<int> ListenerPidAsync(string connectionString, string application)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = application });
        return Assert.IsType<int>(Assert.Single(await ColumnAsync(command)));
    }

    private static async Task<List<object>> ColumnAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<object>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetValue(0));
        }

        return values;
    }
}
