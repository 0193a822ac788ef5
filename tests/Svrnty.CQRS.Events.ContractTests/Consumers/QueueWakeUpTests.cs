using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>
/// Idle queue workers wake on notifications: one new message wakes one idle worker of its queue, not every worker and
/// no worker of another queue, and no message waits for a poll, however the enqueues interleave. The poll interval is
/// an hour on a fake clock that these tests never move, so only notifications can wake a worker.
/// </summary>
public abstract class QueueWakeUpTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task One_enqueue_wakes_one_of_four_idle_workers_and_no_worker_of_another_queue()
    {
        var queue = NewName("queue");
        var other = NewName("queue");
        var counters = new QueueCounters();
        await using var host = await StartAsync(counters, s => s
            .AddQueueConsumer<RecordingQueueHandler>(queue, o => Idle(o, concurrency: 4))
            .AddQueueConsumer<RecordingQueueHandler>(other, o => Idle(o, concurrency: 2)));
        await Deadline.UntilAsync(
            () => Task.FromResult(counters.Dequeues(queue) == 4 && counters.Dequeues(other) == 2 && counters.InFlight == 0),
            "every worker has looked once and waits");

        await Streams.EnqueueAsync(queue, NewEvent("one"));

        await host.Recorder.WhenHandled(1).WaitAsync(Deadline.Default);
        await Deadline.UntilAsync(async () => await Streams.GetPendingCountAsync(queue) == 0, "the message is acknowledged");
        // The woken worker dequeues the message and, after handling it, looks once more before it waits again.
        await Deadline.UntilAsync(() => Task.FromResult(counters.Dequeues(queue) >= 4 + 2 && counters.InFlight == 0),
            "the worker that handled the message has looked again");
        Assert.Equal(1, counters.Woken(queue));
        Assert.Equal(4 + 2, counters.Dequeues(queue));
        Assert.Equal(1, counters.Found(queue));
        Assert.Equal(0, counters.Woken(other));
        Assert.Equal(2, counters.Dequeues(other));
    }

    [Fact]
    public async Task Under_concurrent_enqueues_every_message_is_handled_without_a_poll()
    {
        const int rounds = 4, enqueuers = 8, perEnqueuer = 25;
        var queue = NewName("queue");
        // A handler that yields, so that notifications often arrive while workers are busy or between two dequeues.
        var recorder = new Recorder { OnMessage = async (_, _) => await Task.Yield() };
        await using var host = await StartAsync(new QueueCounters(), s => s.AddQueueConsumer<RecordingQueueHandler>(queue, o => Idle(o, concurrency: 4)),
            recorder);

        var sent = new List<string>();
        for (var round = 1; round <= rounds; round++)
        {
            var batch = Enumerable.Range(0, enqueuers).Select(_ => NewEvents(perEnqueuer, "burst").ToArray()).ToArray();
            sent.AddRange(batch.SelectMany(b => b).Select(e => e.EventId));
            await Task.WhenAll(batch.Select(events => Task.Run(async () =>
            {
                foreach (var e in events)
                {
                    await Streams.EnqueueAsync(queue, e);
                }
            })));

            // Every round ends with all workers idle: a lost wake-up leaves a message behind until the (never) poll.
            await recorder.WhenHandled(sent.Count).WaitAsync(Deadline.Default);
        }

        await Deadline.UntilAsync(async () => await Streams.GetPendingCountAsync(queue) == 0, "every message is acknowledged");
        Assert.Equal(sent.Order(StringComparer.Ordinal), recorder.Messages.Select(m => m.EventId).Order(StringComparer.Ordinal));
    }

    private static void Idle(QueueConsumerOptions options, int concurrency)
    {
        options.Concurrency = concurrency;
        options.PollInterval = TimeSpan.FromHours(1);
    }

    /// <summary>
    /// Builds an app instance with counting decorators, makes sure its notification source is up before any worker
    /// starts (PostgreSQL's listener wakes every waiter once when it starts listening), then starts its hosted services.
    /// </summary>
    private async Task<Host> StartAsync(QueueCounters counters, Action<IServiceCollection> consumers, Recorder? recorder = null)
    {
        recorder ??= new Recorder();
        var services = Fixture.BuildServices(s =>
        {
            s.AddSingleton(recorder);
            consumers(s);
            counters.AddTo(s);
        });
        try
        {
            var notifier = services.GetRequiredService<IStreamChangeNotifier>();
            var probe = NewName("probe");
            for (var i = 0; i < 2; i++) // the second wake-up comes after the listener's start-up one
            {
                using var wait = new CancellationTokenSource();
                var changed = notifier.QueueChanged(probe, wait.Token);
                await Deadline.UntilAsync(async () =>
                {
                    await Streams.EnqueueAsync(probe, NewEvent("probe"));
                    return changed.IsCompleted;
                }, "the notification source is up");
            }

            return new Host(services, recorder, await EventStoreFixture.StartHostedServicesAsync(services));
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    private sealed class Host(ServiceProvider services, Recorder recorder, IHostedService[] hosted) : IAsyncDisposable
    {
        public Recorder Recorder { get; } = recorder;

        public async ValueTask DisposeAsync()
        {
            foreach (var service in hosted.Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }

            await services.DisposeAsync();
        }
    }
}
