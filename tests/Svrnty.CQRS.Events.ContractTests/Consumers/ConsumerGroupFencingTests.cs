using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Offsets;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>
/// Consumer groups fenced by epochs (as Kafka's group generations): every holder of a group has a greater epoch than the
/// last; the hosted consumer's commits carry it and are rejected once it is stale; a holder that knows it lost the group
/// calls no handler; a standby takes over as soon as the holder lets go, without polling.
/// </summary>
public abstract class ConsumerGroupFencingTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private const string Group = "projector";

    private IConsumerGroupLock Locks => Fixture.Services.GetRequiredService<IConsumerGroupLock>();

    private ConsumerOffsetStoreBase FencedOffsets => (ConsumerOffsetStoreBase)Offsets;

    [Fact]
    public async Task Each_holder_of_a_group_gets_a_greater_epoch_and_only_one_holds_it_at_a_time()
    {
        var stream = NewName();
        long first;
        await using (var a = await Locks.TryAcquireAsync(stream, Group, CancellationToken.None))
        {
            Assert.NotNull(a);
            first = a.Epoch;
            Assert.Null(await Locks.TryAcquireAsync(stream, Group, CancellationToken.None));
        }

        await using var b = await Locks.TryAcquireAsync(stream, Group, CancellationToken.None);
        Assert.NotNull(b);
        Assert.True(b.Epoch > first, $"epoch {b.Epoch} follows {first}");
    }

    [Fact]
    public async Task A_commit_from_a_stale_holder_is_rejected_and_the_offset_stays_where_the_current_holder_left_it()
    {
        var (stream, effects) = (NewName(), NewName("effects"));
        var stale = await Locks.AcquireAsync(stream, Group, CancellationToken.None);
        await FencedOffsets.CommitFencedAsync(stream, Group, 3, stale.Epoch, CancellationToken.None);

        Assert.True(await Locks.RevokeAsync(stream, Group, CancellationToken.None));
        await Deadline.UntilAsync(() => stale.Lost.IsCancellationRequested, "the revoked holder is told");
        await using var current = await Locks.AcquireAsync(stream, Group, CancellationToken.None).WaitAsync(Deadline.Default);

        var error = await Assert.ThrowsAsync<ConsumerGroupFencedException>(
            () => FencedOffsets.CommitFencedAsync(stream, Group, 10, stale.Epoch, CancellationToken.None));
        Assert.Equal(stale.Epoch, error.Epoch);
        await Assert.ThrowsAsync<ConsumerGroupFencedException>(() => Streams.WriteAsync(
            new EventBatch().Append(effects, NewEvent("effect")).CommitOffset(stream, Group, 10, stale.Epoch)));
        Assert.Equal(3, await Offsets.GetOffsetAsync(stream, Group));
        Assert.Equal(0, await Streams.GetStreamLengthAsync(effects));

        await FencedOffsets.CommitFencedAsync(stream, Group, 4, current.Epoch, CancellationToken.None);
        await Streams.WriteAsync(new EventBatch().Append(effects, NewEvent("effect")).CommitOffset(stream, Group, 5, current.Epoch));
        Assert.Equal(5, await Offsets.GetOffsetAsync(stream, Group));
        Assert.Equal(1, await Streams.GetStreamLengthAsync(effects));
        await stale.DisposeAsync();
    }

    [Fact]
    public async Task A_waiting_standby_gets_the_group_as_soon_as_the_holder_releases_it_and_its_wait_can_be_cancelled()
    {
        var stream = NewName();
        var holder = await Locks.AcquireAsync(stream, Group, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = Locks.AcquireAsync(stream, Group, cancel.Token);
        var waiting = Locks.AcquireAsync(stream, Group, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Deadline.Default));
        await holder.DisposeAsync();

        // Nobody moves the (fake) clock: the standby is woken by the release itself.
        await using var standby = await waiting.WaitAsync(Deadline.Default);
        Assert.True(standby.Epoch > holder.Epoch);
    }

    [Fact]
    public async Task Once_its_lock_is_revoked_the_active_instance_calls_no_handler_its_late_commit_is_rejected_and_the_standby_goes_on()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(20));
        var calledCancelled = new ConcurrentQueue<(string Host, long Offset)>();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = new Recorder
        {
            // Offset 5 is in flight when the lock is revoked; this handler ignores its token and returns when let go.
            OnEvent = async (e, ct) =>
            {
                if (ct.IsCancellationRequested)
                {
                    calledCancelled.Enqueue(("a", e.Offset));
                }

                if (e.Offset == 5)
                {
                    reached.TrySetResult();
                    await gate.Task;
                }
            },
        };
        var b = new Recorder
        {
            OnEvent = (e, ct) =>
            {
                if (ct.IsCancellationRequested)
                {
                    calledCancelled.Enqueue(("b", e.Offset));
                }

                return Task.CompletedTask;
            },
        };
        var logs = new Retention.RetentionHost.LogCapture();
        await using var first = await StartAsync(stream, a, logs);
        await reached.Task.WaitAsync(Deadline.Default);
        await using var second = await StartAsync(stream, b, new Retention.RetentionHost.LogCapture());

        Assert.True(await Locks.RevokeAsync(stream, Group, CancellationToken.None));
        await b.WhenHandled(15).WaitAsync(Deadline.Default);
        gate.SetResult();
        await Deadline.UntilAsync(() => logs.Entries.Any(e => e.Id.Id == 3009), "the revoked instance's late commit was rejected (event id 3009)");

        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), a.Events.Select(e => e.Offset));
        Assert.Equal(6, a.TotalCalls); // nothing after the in-flight call
        Assert.Equal(Enumerable.Range(5, 15).Select(i => (long)i), b.Events.Select(e => e.Offset));
        Assert.Empty(calledCancelled);
        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == 20, "the standby committed past every event");
    }

    [Fact]
    public async Task A_holder_that_never_learns_it_lost_the_group_is_stopped_by_its_first_rejected_commit_and_stands_by()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(20));
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = new Recorder
        {
            OnEvent = async (e, _) =>
            {
                if (e.Offset == 5 && reached.TrySetResult())
                {
                    await gate.Task;
                }
            },
        };
        var b = new Recorder();
        var logs = new Retention.RetentionHost.LogCapture();
        // Instance a is never told that its lock is gone (a paused process, a partition): only the fence stops it.
        await using var first = await StartAsync(stream, a, logs, DeafGroupLocks.Install);
        await reached.Task.WaitAsync(Deadline.Default);
        await using (var second = await StartAsync(stream, b, new Retention.RetentionHost.LogCapture()))
        {
            Assert.True(await Locks.RevokeAsync(stream, Group, CancellationToken.None));
            await b.WhenHandled(15).WaitAsync(Deadline.Default);
            gate.SetResult();
            await Deadline.UntilAsync(() => logs.Entries.Any(e => e.Id.Id == 3009), "the stale holder's commit was rejected (event id 3009)");

            Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), a.Events.Select(e => e.Offset));
            Assert.Equal(20, await Offsets.GetOffsetAsync(stream, Group));
        }

        // Instance a released the group and stood by: it takes over from the offset b committed.
        await Streams.AppendAsync(stream, NewEvents(3, "later"));
        await a.WhenHandled(9).WaitAsync(Deadline.Default);
        Assert.Equal([20L, 21, 22], a.Events.Skip(6).Select(e => e.Offset));
        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == 23, "instance a committed past the later events");
    }

    [Fact]
    public async Task A_transactional_holder_that_never_learns_it_lost_the_group_has_its_batch_rejected_so_each_effect_commits_once()
    {
        var (stream, effects) = (NewName(), NewName("effects"));
        var source = NewEvents(20).ToArray();
        await Streams.AppendAsync(stream, source);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Instance a's sixth call (offset 5) has added its effect and waits, past the lock check, while the group changes hands.
        var a = new EffectScript(effects)
        {
            BeforeReturn = async (call, _) =>
            {
                if (call == 6 && reached.TrySetResult())
                {
                    await gate.Task;
                }
            },
        };
        var b = new EffectScript(effects);
        var logs = new Retention.RetentionHost.LogCapture();
        // Instance a is never told that its lock is gone (a paused process, a partition): only the fence stops its batch.
        await using var first = await StartTransactionalAsync(stream, a, logs, DeafGroupLocks.Install);
        await reached.Task.WaitAsync(Deadline.Default);
        await using var second = await StartTransactionalAsync(stream, b, new Retention.RetentionHost.LogCapture());

        Assert.True(await Locks.RevokeAsync(stream, Group, CancellationToken.None));
        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == 20, "the standby committed past every event");
        gate.SetResult();
        await Deadline.UntilAsync(() => logs.Entries.Any(e => e.Id.Id == 3009), "the stale holder's batch was rejected (event id 3009)");

        Assert.Equal(1, a.Calls(source[5].EventId));
        Assert.Equal(1, b.Calls(source[5].EventId));
        var committed = await Streams.ReadStreamAsync(effects, 0, 1000);
        Assert.Equal(source.Select(e => e.EventId), committed.Select(e => ((TestEvent)e.Event).Name)); // each once, in order
        Assert.Equal(20, await Offsets.GetOffsetAsync(stream, Group));
    }

    private Task<TestHost> StartTransactionalAsync(string stream, EffectScript script, Retention.RetentionHost.LogCapture logs,
        Action<IServiceCollection>? configure = null) =>
        TestHost.StartAsync(Fixture, s =>
        {
            configure?.Invoke(s);
            s.AddSingleton(script);
            s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
            s.AddTransactionalEventStreamConsumer<EffectStreamHandler>(stream, Group, o =>
            {
                o.BatchSize = 10;
                o.PollInterval = TimeSpan.FromHours(1); // fake clock, never moved: live events arrive through notifications
                o.RetryDelay = TimeSpan.Zero;
            });
        });

    private Task<TestHost> StartAsync(string stream, Recorder recorder, Retention.RetentionHost.LogCapture logs,
        Action<IServiceCollection>? configure = null) =>
        TestHost.StartAsync(Fixture, s =>
        {
            configure?.Invoke(s);
            s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
            s.AddEventStreamConsumer<RecordingStreamHandler>(stream, Group, o =>
            {
                o.BatchSize = 10;
                o.CommitAfterEachEvent = true;
                o.PollInterval = TimeSpan.FromHours(1); // fake clock, never moved: live events arrive through notifications
                o.RetryDelay = TimeSpan.Zero;
            });
        }, recorder);
}

/// <summary>Wraps the backend's consumer-group lock so that its leases never report a loss.</summary>
public static class DeafGroupLocks
{
    /// <summary>Decorates the <see cref="IConsumerGroupLock"/> the backend registered.</summary>
    public static void Install(IServiceCollection services)
    {
        var backend = services.Last(d => d.ServiceType == typeof(IConsumerGroupLock));
        services.AddSingleton<IConsumerGroupLock>(sp => new Lock((IConsumerGroupLock)ActivatorUtilities.CreateInstance(sp, backend.ImplementationType!)));
    }

    private sealed class Lock(IConsumerGroupLock inner) : IConsumerGroupLock
    {
        public async Task<IConsumerGroupLease?> TryAcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken) =>
            await inner.TryAcquireAsync(streamName, consumerGroup, cancellationToken) is { } lease ? new Lease(lease) : null;

        public async Task<IConsumerGroupLease> AcquireAsync(string streamName, string consumerGroup, CancellationToken cancellationToken) =>
            new Lease(await inner.AcquireAsync(streamName, consumerGroup, cancellationToken));

        public Task<bool> RevokeAsync(string streamName, string consumerGroup, CancellationToken cancellationToken) =>
            inner.RevokeAsync(streamName, consumerGroup, cancellationToken);
    }

    private sealed class Lease(IConsumerGroupLease inner) : IConsumerGroupLease
    {
        public long Epoch => inner.Epoch;

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
