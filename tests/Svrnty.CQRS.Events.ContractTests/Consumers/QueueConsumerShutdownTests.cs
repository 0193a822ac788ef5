using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>
/// A hosted queue consumer that stops: its handlers' tokens are cancelled, what they finish is acknowledged, and the
/// acknowledgements and lease extensions last no longer than the host's shutdown budget, which the host hands to
/// <see cref="IHostedService.StopAsync"/> as a token cancelled when <c>HostOptions.ShutdownTimeout</c> has passed. The
/// tests play the host: they cancel that token when the budget should run out.
/// </summary>
public abstract class QueueConsumerShutdownTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task A_handler_that_finishes_within_the_shutdown_timeout_is_acknowledged()
    {
        var queue = NewName("queue");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new Recorder { OnMessage = (_, _) => release.Task }; // finishes its work whatever the token says
        await using var host = await StartConsumerAsync(queue, recorder);
        using var unblock = OnExit(() => release.TrySetResult());
        await Streams.EnqueueAsync(queue, NewEvent("in-flight"));
        await recorder.WhenCalled(1).WaitAsync(Deadline.Default);

        using var budget = new CancellationTokenSource();
        var stopping = Consumer(host).StopAsync(budget.Token);
        Assert.False(stopping.IsCompleted); // it waits for the handler
        release.SetResult();
        await stopping.WaitAsync(Deadline.Default);

        Assert.Equal(0, await Streams.GetPendingCountAsync(queue));
        Assert.True(Consumer(host).ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_handler_interrupted_by_the_stop_gives_its_message_back_at_once()
    {
        var queue = NewName("queue");
        var recorder = new Recorder { OnMessage = (_, ct) => Task.Delay(Timeout.Infinite, ct) };
        await using var host = await StartConsumerAsync(queue, recorder);
        var e = NewEvent("interrupted");
        await Streams.EnqueueAsync(queue, e);
        await recorder.WhenCalled(1).WaitAsync(Deadline.Default);

        using var budget = new CancellationTokenSource();
        await Consumer(host).StopAsync(budget.Token).WaitAsync(Deadline.Default);

        var again = await Streams.DequeueAsync(queue, "other-instance", TimeSpan.FromSeconds(30));
        Assert.Equal(e.EventId, again?.EventId);
        Assert.Equal(2, again?.DeliveryCount);
    }

    [Fact]
    public async Task An_acknowledgement_still_running_when_the_shutdown_timeout_runs_out_is_cancelled()
    {
        var queue = NewName("queue");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new Recorder { OnMessage = (_, _) => release.Task };
        var acks = new StuckAcknowledgements();
        await using var host = await StartConsumerAsync(queue, recorder,
            s => s.DecorateQueue(acks.Wrap));
        using var unblock = OnExit(() =>
        {
            release.TrySetResult();
            acks.End();
        });
        var e = NewEvent("slow-ack");
        await Streams.EnqueueAsync(queue, e);
        await recorder.WhenCalled(1).WaitAsync(Deadline.Default);

        using var budget = new CancellationTokenSource();
        var stopping = Consumer(host).StopAsync(budget.Token);
        release.SetResult();
        await acks.Started.WaitAsync(Deadline.Default);
        Assert.False(stopping.IsCompleted); // it waits for the acknowledgement...
        await budget.CancelAsync(); // ...until the host's shutdown timeout has passed
        await stopping.WaitAsync(Deadline.Default);

        await acks.Cancelled.WaitAsync(Deadline.Default);
        await Consumer(host).ExecuteTask!.WaitAsync(Deadline.Default);
        Assert.True(Consumer(host).ExecuteTask!.IsCompletedSuccessfully);
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));

        // Not acknowledged, the message comes back once its lease has expired.
        Time.Advance(new QueueConsumerOptions().VisibilityTimeout + TimeSpan.FromSeconds(1));
        var again = await Streams.DequeueAsync(queue, "other-instance", TimeSpan.FromSeconds(30));
        Assert.Equal(e.EventId, again?.EventId);
    }

    [Fact]
    public async Task Lease_extensions_stop_when_the_shutdown_timeout_runs_out()
    {
        var queue = NewName("queue");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new Recorder { OnMessage = (_, _) => release.Task }; // outlives the budget
        var extensions = 0;
        await using var host = await StartConsumerAsync(queue, recorder,
            s => s.AddSingleton<IQueueLeaseExtender>(sp => new CountingExtender(
                (IQueueLeaseExtender)sp.GetRequiredService<IEventQueue>(), () => Interlocked.Increment(ref extensions))),
            o => o.VisibilityTimeout = TimeSpan.FromSeconds(10));
        using var unblock = OnExit(() => release.TrySetResult());
        var e = NewEvent("long");
        await Streams.EnqueueAsync(queue, e);
        await recorder.WhenCalled(1).WaitAsync(Deadline.Default);

        using var budget = new CancellationTokenSource();
        var stopping = Consumer(host).StopAsync(budget.Token);

        // Within the budget the lease is kept: the handler may still finish and be acknowledged.
        await Deadline.UntilAsync(() => Task.FromResult(Volatile.Read(ref extensions) >= 1), "the lease is extended after the stop",
            () => Time.Advance(TimeSpan.FromSeconds(1)));
        await budget.CancelAsync();
        await stopping.WaitAsync(Deadline.Default);

        // Past it nothing keeps the lease: once it expires another instance gets the message, while the handler still runs.
        DequeuedEvent? taken = null;
        await Deadline.UntilAsync(async () => (taken = await Streams.DequeueAsync(queue, "other-instance", TimeSpan.FromMinutes(5))) is not null,
            "another instance gets the message", () => Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal(e.EventId, taken!.EventId);

        // The handler finishes after the budget: its acknowledgement is not attempted, the other instance's lease stands.
        release.SetResult();
        await Consumer(host).ExecuteTask!.WaitAsync(Deadline.Default);
        Assert.True(await Streams.AcknowledgeAsync(queue, e.EventId, "other-instance"));
    }

    private Task<TestHost> StartConsumerAsync(string queue, Recorder recorder, Action<IServiceCollection>? services = null,
        Action<QueueConsumerOptions>? configure = null) =>
        TestHost.StartAsync(Fixture, s =>
        {
            services?.Invoke(s);
            s.AddQueueConsumer<RecordingQueueHandler>(queue, o =>
            {
                o.PollInterval = TimeSpan.FromHours(1); // fake clock: work arrives through notifications
                configure?.Invoke(o);
            });
        }, recorder);

    private static BackgroundService Consumer(TestHost host) =>
        host.Services.GetServices<IHostedService>().OfType<BackgroundService>()
            .Single(s => s.GetType().Name.StartsWith("QueueConsumerService", StringComparison.Ordinal));

    /// <summary>What lets a blocked handler or acknowledgement end when a test fails, so that its host can stop.</summary>
    private static Exit OnExit(Action unblock) => new(unblock);

    private sealed class Exit(Action unblock) : IDisposable
    {
        public void Dispose() => unblock();
    }

    /// <summary>Acknowledgements that hang until cancelled, as on a server that stopped answering.</summary>
    private sealed class StuckAcknowledgements
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public Task Cancelled => _cancelled.Task;

        public IEventQueue Wrap(IEventQueue inner) => new Queue(inner, this);

        /// <summary>Lets hanging acknowledgements fail (at the end of a failed test).</summary>
        public void End() => _ended.TrySetException(new InvalidOperationException("The test has ended."));

        private sealed class Queue(IEventQueue inner, StuckAcknowledgements acks) : IEventQueue
        {
            public Task EnqueueAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken = default) =>
                inner.EnqueueAsync(streamName, @event, cancellationToken);

            public Task<DequeuedEvent?> DequeueAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
                CancellationToken cancellationToken = default) =>
                inner.DequeueAsync(streamName, consumerId, visibilityTimeout, cancellationToken);

            public async Task<bool> AcknowledgeAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken = default)
            {
                acks._started.TrySetResult();
                try
                {
                    await acks._ended.Task.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    acks._cancelled.TrySetResult();
                    throw;
                }

                return await inner.AcknowledgeAsync(streamName, eventId, consumerId, cancellationToken);
            }

            public Task<bool> NackAsync(string streamName, string eventId, string consumerId, bool requeue = true,
                CancellationToken cancellationToken = default) =>
                inner.NackAsync(streamName, eventId, consumerId, requeue, cancellationToken);

            public Task<long> GetPendingCountAsync(string streamName, CancellationToken cancellationToken = default) =>
                inner.GetPendingCountAsync(streamName, cancellationToken);
        }
    }

    private sealed class CountingExtender(IQueueLeaseExtender inner, Action extended) : IQueueLeaseExtender
    {
        public async Task<DateTimeOffset?> ExtendLeaseAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
            CancellationToken cancellationToken = default)
        {
            var result = await inner.ExtendLeaseAsync(streamName, eventId, consumerId, visibilityTimeout, cancellationToken);
            extended();
            return result;
        }
    }
}
