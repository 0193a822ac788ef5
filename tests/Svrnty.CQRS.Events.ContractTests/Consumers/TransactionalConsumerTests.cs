using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>
/// Hosted consumers with exactly-once effects: a transactional handler's batch commits with the offset or the
/// acknowledgement, or not at all. Each effect is an append with a fresh event id (not idempotent), so an effect that
/// committed twice would show as two events.
/// </summary>
public abstract class TransactionalConsumerTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private const string Group = "effects-group";

    private Task<TestHost> StartStreamConsumerAsync(string stream, EffectScript script, Action<EventStreamConsumerOptions>? configure = null,
        Action<IServiceCollection>? services = null) =>
        TestHost.StartAsync(Fixture, s =>
        {
            s.AddSingleton(script);
            services?.Invoke(s);
            s.AddTransactionalEventStreamConsumer<EffectStreamHandler>(stream, Group, o =>
            {
                o.BatchSize = 10;
                o.PollInterval = TimeSpan.FromHours(1); // fake clock: live events arrive through notifications
                o.RetryDelay = TimeSpan.Zero;
                configure?.Invoke(o);
            });
        });

    private Task<TestHost> StartQueueConsumerAsync(string queue, EffectScript script, Action<QueueConsumerOptions>? configure = null,
        Action<IServiceCollection>? services = null) =>
        TestHost.StartAsync(Fixture, s =>
        {
            s.AddSingleton(script);
            services?.Invoke(s);
            s.AddTransactionalQueueConsumer<EffectQueueHandler>(queue, o =>
            {
                o.PollInterval = TimeSpan.FromSeconds(1); // on the fake clock, moved by the tests that need a poll
                configure?.Invoke(o);
            });
        });

    private async Task<IReadOnlyList<string>> EffectsAsync(string effects) =>
        (await Streams.ReadStreamAsync(effects, 0, 1000)).Select(e => ((TestEvent)e.Event).Name).ToArray();

    [Fact]
    public async Task A_stream_handlers_effects_and_the_offset_commit_together_one_event_at_a_time()
    {
        var (stream, effects) = (NewName(), NewName("effects"));
        var source = NewEvents(5).ToArray();
        await Streams.AppendAsync(stream, source);
        var script = new EffectScript(effects);
        await using var host = await StartStreamConsumerAsync(stream, script);

        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == 5, "the group committed past every event");

        Assert.Equal(source.Select(e => e.EventId), await EffectsAsync(effects));
        Assert.All(source, e => Assert.Equal(1, script.Calls(e.EventId)));
    }

    [Fact]
    public async Task A_stream_handler_whose_batch_fails_commits_nothing_and_does_not_advance_the_offset()
    {
        var (stream, effects) = (NewName(), NewName("effects"));
        var source = NewEvents(4).ToArray();
        await Streams.AppendAsync(stream, source);
        // At offset 2 the handler's append expects a length the effects stream does not have.
        var script = new EffectScript(effects) { ExpectedLength = e => e.Offset == 2 ? 99 : null };
        await using var host = await StartStreamConsumerAsync(stream, script, o =>
        {
            o.MaxAttempts = 2;
            o.OnFailure = ConsumerFailureMode.Stop;
        });

        await host.ConsumerTask!.WaitAsync(Deadline.Default); // stopped on the failing event, as configured

        Assert.Equal(2, await Offsets.GetOffsetAsync(stream, Group));
        Assert.Equal(source.Take(2).Select(e => e.EventId), await EffectsAsync(effects));
        Assert.Equal(2, script.Calls(source[2].EventId));
    }

    [Fact]
    public async Task A_stream_consumer_stopped_between_handler_and_commit_applies_the_effect_exactly_once_after_a_restart()
    {
        var (stream, effects) = (NewName(), NewName("effects"));
        var source = NewEvents(3).ToArray();
        await Streams.AppendAsync(stream, source);
        var script = new EffectScript(effects);
        var crash = new CrashAtFirstCommit();

        // First instance: the handler of offset 0 has filled its batch, then the process "dies" before the commit (the
        // commit never reaches the store; the retry waits on the fake clock until the host is stopped).
        await using (var first = await StartStreamConsumerAsync(stream, script, o => (o.RetryDelay, o.MaxRetryDelay) = (TimeSpan.FromHours(1), TimeSpan.FromHours(1)), crash.Install))
        {
            await crash.Reached.WaitAsync(Deadline.Default);
            await first.StopAsync();
        }

        Assert.Null(await Offsets.GetOffsetAsync(stream, Group));
        Assert.Empty(await EffectsAsync(effects));

        await using var second = await StartStreamConsumerAsync(stream, script);
        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == 3, "the restarted group committed past every event");

        Assert.Equal(source.Select(e => e.EventId), await EffectsAsync(effects));
        Assert.Equal(2, script.Calls(source[0].EventId)); // handled twice, committed once
    }

    [Fact]
    public async Task A_stream_handler_whose_group_lock_was_lost_commits_nothing_and_the_event_is_handled_again()
    {
        var (stream, effects) = (NewName(), NewName("effects"));
        var source = NewEvents(2).ToArray();
        await Streams.AppendAsync(stream, source);
        var locks = new LosableGroupLocks();
        var script = new EffectScript(effects);
        // The first call loses the group lock after filling its batch, and returns as if nothing happened.
        script.BeforeReturn = (call, _) =>
        {
            if (call == 1)
            {
                locks.LoseCurrent();
            }

            return Task.CompletedTask;
        };
        await using var host = await StartStreamConsumerAsync(stream, script, services: locks.Install);

        // The consumer takes the lock again and resumes from the committed offset.
        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == 2, "the group committed past every event");

        Assert.Equal(source.Select(e => e.EventId), await EffectsAsync(effects));
        Assert.Equal(2, script.Calls(source[0].EventId));
        Assert.Equal(2, locks.Acquired);
    }

    [Fact]
    public async Task A_queue_handlers_effects_and_the_acknowledgement_commit_together()
    {
        var (queue, effects) = (NewName("queue"), NewName("effects"));
        var messages = NewEvents(3).ToArray();
        foreach (var m in messages)
        {
            await Streams.EnqueueAsync(queue, m);
        }

        var script = new EffectScript(effects);
        await using var host = await StartQueueConsumerAsync(queue, script);

        await Deadline.UntilAsync(() => Streams.GetPendingCountAsync(queue), n => n == 0, "every message is acknowledged");

        Assert.Equal(messages.Select(m => m.EventId).Order(), (await EffectsAsync(effects)).Order());
        Assert.All(messages, m => Assert.Equal(1, script.Calls(m.EventId)));
    }

    [Fact]
    public async Task A_queue_handler_that_lost_its_lease_commits_nothing_of_its_work()
    {
        var (queue, effects) = (NewName("queue"), NewName("effects"));
        var message = NewEvent("m");
        await Streams.EnqueueAsync(queue, message);
        var visibility = TimeSpan.FromMinutes(1);
        var script = new EffectScript(effects);
        var stolen = false;
        // The first call outlives its lease (never extended here) and another consumer takes the message meanwhile.
        script.BeforeReturn = async (call, ct) =>
        {
            if (call == 1)
            {
                Time.Advance(visibility + TimeSpan.FromSeconds(1));
                stolen = await Streams.DequeueAsync(queue, "thief", TimeSpan.FromSeconds(10), ct) is not null;
            }
        };
        await using var host = await StartQueueConsumerAsync(queue, script, o => o.VisibilityTimeout = visibility,
            s => s.AddSingleton<IQueueLeaseExtender>(new NoLeaseExtension()));

        // The thief never acknowledges: its lease expires and the consumer gets the message again, and commits then.
        await Deadline.UntilAsync(() => Streams.GetPendingCountAsync(queue), n => n == 0, "the message is acknowledged",
            () => Time.Advance(TimeSpan.FromSeconds(1)));

        Assert.True(stolen);
        Assert.Equal([message.EventId], await EffectsAsync(effects));
        Assert.Equal(2, script.Calls(message.EventId));
    }

    [Fact]
    public async Task A_queue_consumer_stopped_between_handler_and_commit_applies_the_effect_exactly_once_after_a_restart()
    {
        var (queue, effects) = (NewName("queue"), NewName("effects"));
        var message = NewEvent("m");
        await Streams.EnqueueAsync(queue, message);
        var script = new EffectScript(effects);
        var crash = new CrashAtFirstCommit();

        // First instance: the handler has filled its batch, then the process "dies" before the commit: the message stays
        // leased to it (the failure keeps the lease for RedeliveryDelay, as a dead process would keep it until it expires).
        await using (var first = await StartQueueConsumerAsync(queue, script, o => o.RedeliveryDelay = TimeSpan.FromMinutes(1), crash.Install))
        {
            await crash.Reached.WaitAsync(Deadline.Default);
            await first.StopAsync();
        }

        Assert.Empty(await EffectsAsync(effects));
        Assert.Equal(1, await Streams.GetPendingCountAsync(queue));

        await using var second = await StartQueueConsumerAsync(queue, script);
        await Deadline.UntilAsync(() => Streams.GetPendingCountAsync(queue), n => n == 0, "the restarted consumer acknowledged the message",
            () => Time.Advance(TimeSpan.FromSeconds(5)));

        Assert.Equal([message.EventId], await EffectsAsync(effects));
        Assert.Equal(2, script.Calls(message.EventId));
    }

    /// <summary>Never extends a lease, so a test can make one run out by moving the clock.</summary>
    private sealed class NoLeaseExtension : IQueueLeaseExtender
    {
        public Task<DateTimeOffset?> ExtendLeaseAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
            CancellationToken cancellationToken = default) => Task.FromResult<DateTimeOffset?>(DateTimeOffset.MaxValue);
    }
}

/// <summary>What the transactional test handlers do: append an effect named after the event or message (a fresh event
/// id each call) to the effects stream, through the batch.</summary>
public sealed class EffectScript(string effectsStream)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _calls = new();
    private int _total;

    public string EffectsStream => effectsStream;

    /// <summary>The expected length of the effect's append, per source event (null: none).</summary>
    public Func<StoredEvent, long?> ExpectedLength { get; set; } = _ => null;

    /// <summary>Runs after the effect is added to the batch, with the number of the call (1 for the first).</summary>
    public Func<int, CancellationToken, Task>? BeforeReturn { get; set; }

    public int Calls(string eventId) => _calls.GetValueOrDefault(eventId);

    public async Task ApplyAsync(string eventId, long? expectedLength, ConsumerTransaction transaction, CancellationToken cancellationToken)
    {
        _calls.AddOrUpdate(eventId, 1, (_, n) => n + 1);
        var call = Interlocked.Increment(ref _total);
        transaction.Batch.Append(effectsStream, new TestEvent(eventId, call), expectedLength);
        if (BeforeReturn is { } hook)
        {
            await hook(call, cancellationToken);
        }
    }
}

public sealed class EffectStreamHandler(EffectScript script) : ITransactionalEventStreamHandler
{
    public Task HandleAsync(StoredEvent storedEvent, ConsumerTransaction transaction, CancellationToken cancellationToken) =>
        script.ApplyAsync(storedEvent.EventId, script.ExpectedLength(storedEvent), transaction, cancellationToken);
}

public sealed class EffectQueueHandler(EffectScript script) : ITransactionalQueueMessageHandler
{
    public Task HandleAsync(DequeuedEvent message, ConsumerTransaction transaction, CancellationToken cancellationToken) =>
        script.ApplyAsync(message.EventId, null, transaction, cancellationToken);
}

/// <summary>
/// Wraps the backend's consumer transactions so that the first commit never reaches the store: it signals
/// <see cref="Reached"/> and fails, as if the process died between the handler and the commit.
/// </summary>
public sealed class CrashAtFirstCommit
{
    private int _commits;
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    /// <summary>Decorates the <see cref="IConsumerTransactionFactory"/> the backend registered.</summary>
    public void Install(IServiceCollection services)
    {
        var backend = services.Last(d => d.ServiceType == typeof(IConsumerTransactionFactory));
        services.AddSingleton<IConsumerTransactionFactory>(sp => new Factory(
            (IConsumerTransactionFactory)ActivatorUtilities.CreateInstance(sp, backend.ImplementationType!), this));
    }

    private sealed class Factory(IConsumerTransactionFactory inner, CrashAtFirstCommit crash) : IConsumerTransactionFactory
    {
        public async Task<IConsumerTransactionScope> BeginAsync(CancellationToken cancellationToken) =>
            new Scope(await inner.BeginAsync(cancellationToken), crash);
    }

    private sealed class Scope(IConsumerTransactionScope inner, CrashAtFirstCommit crash) : IConsumerTransactionScope
    {
        public ConsumerTransaction Transaction => inner.Transaction;

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref crash._commits) == 1)
            {
                crash._reached.TrySetResult();
                throw new InvalidOperationException("The process died before the commit.");
            }

            return inner.CommitAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>Wraps the backend's consumer-group lock so that a test can make the current lease lost.</summary>
public sealed class LosableGroupLocks
{
    private CancellationTokenSource? _current;
    private int _acquired;

    public int Acquired => Volatile.Read(ref _acquired);

    public void LoseCurrent() => Volatile.Read(ref _current)?.Cancel();

    /// <summary>Decorates the <see cref="IConsumerGroupLock"/> the backend registered.</summary>
    public void Install(IServiceCollection services)
    {
        var backend = services.Last(d => d.ServiceType == typeof(IConsumerGroupLock));
        services.AddSingleton<IConsumerGroupLock>(sp => new Lock(
            (IConsumerGroupLock)ActivatorUtilities.CreateInstance(sp, backend.ImplementationType!), this));
    }

    private sealed class Lock(IConsumerGroupLock inner, LosableGroupLocks owner) : IConsumerGroupLock
    {
        public async Task<IConsumerGroupLease?> TryAcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken)
        {
            if (await inner.TryAcquireAsync(streamName, consumerGroup, cancellationToken) is not { } lease)
            {
                return null;
            }

            return Wrap(lease);
        }

        public async Task<IConsumerGroupLease> AcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken) =>
            Wrap(await inner.AcquireAsync(streamName, consumerGroup, cancellationToken));

        public Task<bool> RevokeAsync(string streamName, string consumerGroup, CancellationToken cancellationToken) =>
            inner.RevokeAsync(streamName, consumerGroup, cancellationToken);

        private Lease Wrap(IConsumerGroupLease lease)
        {
            var lost = CancellationTokenSource.CreateLinkedTokenSource(lease.Lost);
            Volatile.Write(ref owner._current, lost);
            Interlocked.Increment(ref owner._acquired);
            return new Lease(lease, lost);
        }
    }

    private sealed class Lease(IConsumerGroupLease inner, CancellationTokenSource lost) : IConsumerGroupLease
    {
        public long Epoch => inner.Epoch;

        public CancellationToken Lost => lost.Token;

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            lost.Dispose();
        }
    }
}
