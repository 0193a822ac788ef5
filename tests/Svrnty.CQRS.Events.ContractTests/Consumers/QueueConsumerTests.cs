using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>Hosted queue consumers: concurrency, acks, redelivery and dead letters, lease extension.</summary>
public abstract class QueueConsumerTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private Task<TestHost> StartConsumerAsync(string queue, Action<QueueConsumerOptions>? configure = null, Recorder? recorder = null,
        Action<IServiceCollection>? services = null) =>
        TestHost.StartAsync(Fixture, s =>
        {
            services?.Invoke(s);
            s.AddQueueConsumer<RecordingQueueHandler>(queue, o =>
            {
                o.PollInterval = TimeSpan.FromHours(1); // fake clock, never moved: work arrives through notifications
                configure?.Invoke(o);
            });
        }, recorder);

    [Fact]
    public async Task Four_workers_handle_each_message_exactly_once_and_acknowledge_it()
    {
        const int count = 200;
        var queue = NewName("queue");
        var ids = new List<string>();
        for (var i = 0; i < count / 2; i++)
        {
            var e = NewEvent("m", i);
            ids.Add(e.EventId);
            await Streams.EnqueueAsync(queue, e);
        }

        await using var host = await StartConsumerAsync(queue, o => o.Concurrency = 4);
        for (var i = count / 2; i < count; i++)
        {
            var e = NewEvent("m", i);
            ids.Add(e.EventId);
            await Streams.EnqueueAsync(queue, e);
        }

        await host.Recorder.WhenHandled(count).WaitAsync(Deadline.Default);
        await Deadline.UntilAsync(() => Streams.GetPendingCountAsync(queue), pending => pending == 0, "every message is acknowledged");

        Assert.Equal(ids.Order(), host.Recorder.Messages.Select(m => m.EventId).Order());
        Assert.All(ids, id => Assert.Equal(1, host.Recorder.Calls(id)));
    }

    [Fact]
    public async Task Four_workers_handle_four_messages_at_the_same_time()
    {
        var queue = NewName("queue");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Every handler call waits for the release, so four calls can only be under way together if four workers run.
        var recorder = new Recorder { OnMessage = (_, ct) => release.Task.WaitAsync(ct) };
        await using var host = await StartConsumerAsync(queue, o => o.Concurrency = 4, recorder);

        for (var i = 0; i < 4; i++)
        {
            await Streams.EnqueueAsync(queue, NewEvent("m", i));
        }

        await recorder.WhenCalled(4).WaitAsync(Deadline.Default);
        release.SetResult();
        await recorder.WhenHandled(4).WaitAsync(Deadline.Default);

        Assert.Equal(4, recorder.Messages.Select(m => m.ConsumerId).Distinct().Count());
    }

    [Fact]
    public async Task A_failing_message_is_redelivered_then_dead_lettered_after_max_delivery_attempts()
    {
        var queue = NewName("queue");
        await Configurations.SetAsync(new StreamConfiguration { StreamName = queue, MaxDeliveryAttempts = 3 });
        var e = NewEvent("doomed");
        var recorder = new Recorder { OnMessage = (_, _) => throw new InvalidOperationException("smtp down") };
        await using var host = await StartConsumerAsync(queue, recorder: recorder);

        await Streams.EnqueueAsync(queue, e);

        await Deadline.UntilAsync(() => DeadLetters.CountAsync(queue), count => count == 1, "the message is dead-lettered");
        Assert.Equal(3, recorder.Calls(e.EventId));
        var dead = Assert.Single(await DeadLetters.ReadAsync(queue, 10));
        Assert.Equal(3, dead.DeliveryCount);
        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
    }

    [Fact]
    public async Task The_consumers_max_delivery_attempts_is_set_on_the_queue_at_startup_and_dead_letters_after_it()
    {
        var queue = NewName("queue");
        await Configurations.SetAsync(new StreamConfiguration { StreamName = queue, MaxDeliveryAttempts = 7 });
        var e = NewEvent("doomed");
        var recorder = new Recorder { OnMessage = (_, _) => throw new InvalidOperationException("smtp down") };
        await using var host = await StartConsumerAsync(queue, o => o.MaxDeliveryAttempts = 2, recorder);

        Assert.Equal(2, (await Configurations.GetAsync(queue))?.MaxDeliveryAttempts);
        await Streams.EnqueueAsync(queue, e);

        await Deadline.UntilAsync(() => DeadLetters.CountAsync(queue), count => count == 1, "the message is dead-lettered");
        Assert.Equal(2, recorder.Calls(e.EventId));
        Assert.Equal(2, Assert.Single(await DeadLetters.ReadAsync(queue, 10)).DeliveryCount);
    }

    [Fact]
    public async Task Without_max_delivery_attempts_the_consumer_leaves_the_queues_configuration_as_it_is()
    {
        var configured = NewName("queue");
        var unconfigured = NewName("queue");
        await Configurations.SetAsync(new StreamConfiguration { StreamName = configured, MaxDeliveryAttempts = 7 });

        await using var host = await TestHost.StartAsync(Fixture, s => s
            .AddQueueConsumer<RecordingQueueHandler>(configured, o => o.PollInterval = TimeSpan.FromHours(1))
            .AddQueueConsumer<RecordingQueueHandler>(unconfigured, o => o.PollInterval = TimeSpan.FromHours(1)));

        Assert.Equal(7, (await Configurations.GetAsync(configured))?.MaxDeliveryAttempts);
        Assert.Null(await Configurations.GetAsync(unconfigured));
    }

    [Fact]
    public async Task A_failed_message_waits_for_the_redelivery_delay()
    {
        var queue = NewName("queue");
        var attempts = 0;
        var recorder = new Recorder
        {
            OnMessage = (_, _) => Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("once") : Task.CompletedTask,
        };
        await using var host = await StartConsumerAsync(queue, o =>
        {
            o.VisibilityTimeout = TimeSpan.FromMinutes(5); // the first lease cannot be what keeps the message hidden
            o.RedeliveryDelay = TimeSpan.FromMinutes(1);
            o.PollInterval = TimeSpan.FromSeconds(1);
        }, recorder);
        await Streams.EnqueueAsync(queue, NewEvent());
        await recorder.WhenCalled(1).WaitAsync(Deadline.Default);

        // Not before the delay, even when idle workers poll...
        Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await Streams.DequeueAsync(queue, "spy", TimeSpan.FromSeconds(1)));

        // ...and handled again once it has passed.
        await Deadline.UntilAsync(() => recorder.Messages.Count == 1, "the message is redelivered",
            () => Time.Advance(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, recorder.Messages[0].DeliveryCount);
    }

    [Fact]
    public async Task The_lease_is_extended_while_a_long_handler_runs()
    {
        var queue = NewName("queue");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new Recorder { OnMessage = (_, ct) => release.Task.WaitAsync(ct) };
        var extensions = new CountingLeaseExtender();
        await using var host = await StartConsumerAsync(queue, o => o.VisibilityTimeout = TimeSpan.FromSeconds(10), recorder,
            s => s.AddSingleton<IQueueLeaseExtender>(sp => extensions.Wrap((IQueueLeaseExtender)sp.GetRequiredService<IEventQueue>())));
        var e = NewEvent("long");
        await Streams.EnqueueAsync(queue, e);
        await recorder.WhenCalled(1).WaitAsync(Deadline.Default);

        // Move the clock a second at a time until the lease has been extended four times (every half timeout).
        var started = Time.GetUtcNow();
        await Deadline.UntilAsync(() => extensions.Calls >= 4, "the lease was extended four times",
            () => Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.True(Time.GetUtcNow() - started >= TimeSpan.FromSeconds(20));

        // 20 s have passed on a 10 s lease: without the extensions another consumer would get the message now.
        Assert.Null(await Streams.DequeueAsync(queue, "competitor", TimeSpan.FromSeconds(10)));
        release.SetResult();
        await recorder.WhenHandled(1).WaitAsync(Deadline.Default);
        await Deadline.UntilAsync(() => Streams.GetPendingCountAsync(queue), pending => pending == 0, "the message is acknowledged");
        Assert.Equal(1, recorder.Calls(e.EventId));
    }

    /// <summary>Counts lease extensions so the test can poll for them.</summary>
    private sealed class CountingLeaseExtender
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public IQueueLeaseExtender Wrap(IQueueLeaseExtender inner) => new Extender(inner, this);

        private void Called() => Interlocked.Increment(ref _calls);

        private sealed class Extender(IQueueLeaseExtender inner, CountingLeaseExtender counter) : IQueueLeaseExtender
        {
            public async Task<DateTimeOffset?> ExtendLeaseAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
                CancellationToken cancellationToken = default)
            {
                var result = await inner.ExtendLeaseAsync(streamName, eventId, consumerId, visibilityTimeout, cancellationToken);
                counter.Called();
                return result;
            }
        }
    }
}
