using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>Hosted stream consumers: order, commits, resume, shutdown, retries, parking, one active instance.</summary>
public abstract class StreamConsumerTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private Task<TestHost> StartConsumerAsync(string stream, Action<EventStreamConsumerOptions>? configure = null, Recorder? recorder = null) =>
        TestHost.StartAsync(Fixture, s => s.AddEventStreamConsumer<RecordingStreamHandler>(stream, "projector", o =>
        {
            o.BatchSize = 10;
            o.PollInterval = TimeSpan.FromHours(1); // fake clock, never moved: live events arrive through notifications
            o.RetryDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        }), recorder);

    private Task CommittedAsync(string stream, long expected) =>
        Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, "projector"), offset => offset == expected, $"the committed offset is {expected}");

    [Fact]
    public async Task Every_event_is_handled_in_order_and_committed_after_each_batch()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(25));
        await using var host = await StartConsumerAsync(stream);

        await host.Recorder.WhenHandled(25).WaitAsync(Deadline.Default);
        await CommittedAsync(stream, 25);
        await Streams.AppendAsync(stream, NewEvents(3, "live"));
        await host.Recorder.WhenHandled(28).WaitAsync(Deadline.Default);

        Assert.Equal(Enumerable.Range(0, 28).Select(i => (long)i), host.Recorder.Events.Select(e => e.Offset));
        await CommittedAsync(stream, 28);
    }

    [Fact]
    public async Task A_restarted_consumer_resumes_after_the_last_committed_event_with_no_gap_and_no_repeat()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(10));
        await using (var first = await StartConsumerAsync(stream))
        {
            await first.Recorder.WhenHandled(10).WaitAsync(Deadline.Default);
        }

        await Streams.AppendAsync(stream, NewEvents(5, "after"));
        await using var second = await StartConsumerAsync(stream);
        await second.Recorder.WhenHandled(5).WaitAsync(Deadline.Default);

        Assert.Equal(Enumerable.Range(10, 5).Select(i => (long)i), second.Recorder.Events.Select(e => e.Offset));
    }

    [Fact]
    public async Task Shutdown_commits_what_was_processed_and_the_unprocessed_tail_is_delivered_again()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(6));
        var recorder = new Recorder
        {
            // Offset 3 is still being handled when the host stops.
            OnEvent = async (e, ct) =>
            {
                if (e.Offset == 3)
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
            },
        };
        await using (var first = await StartConsumerAsync(stream, o => o.BatchSize = 100, recorder))
        {
            await recorder.WhenCalled(4).WaitAsync(Deadline.Default);
            await first.StopAsync();
        }

        Assert.Equal(3, await Offsets.GetOffsetAsync(stream, "projector"));
        await using var second = await StartConsumerAsync(stream);
        await second.Recorder.WhenHandled(3).WaitAsync(Deadline.Default);
        Assert.Equal([3L, 4, 5], second.Recorder.Events.Select(e => e.Offset));
    }

    [Fact]
    public async Task A_poison_event_is_retried_then_parked_with_its_error_and_consumption_continues()
    {
        var stream = NewName();
        var events = NewEvents(5).ToArray();
        await Streams.AppendAsync(stream, events);
        var recorder = new Recorder
        {
            OnEvent = (e, _) => e.Offset == 2 ? throw new InvalidOperationException("cannot project this one") : Task.CompletedTask,
        };
        await using var host = await StartConsumerAsync(stream, o => o.MaxAttempts = 3, recorder);

        await recorder.WhenHandled(4).WaitAsync(Deadline.Default);
        await CommittedAsync(stream, 5);

        Assert.Equal([0L, 1, 3, 4], recorder.Events.Select(e => e.Offset));
        Assert.Equal(3, recorder.Calls(events[2].EventId));
        var parked = Assert.Single(await Fixture.Services.GetRequiredService<IParkedEventStore>().ReadAsync(stream, "projector", 10));
        Assert.Equal(2, parked.Offset);
        Assert.Equal(events[2].EventId, parked.EventId);
        Assert.Equal(3, parked.Attempts);
        Assert.Contains("cannot project this one", parked.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_poison_event_stops_the_consumer_at_that_event_when_configured()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(5));
        var recorder = new Recorder
        {
            OnEvent = (e, _) => e.Offset == 2 ? throw new InvalidOperationException("stop here") : Task.CompletedTask,
        };
        await using var host = await StartConsumerAsync(stream, o =>
        {
            o.MaxAttempts = 2;
            o.OnFailure = ConsumerFailureMode.Stop;
        }, recorder);

        await host.ConsumerTask!.WaitAsync(Deadline.Default);

        Assert.Equal([0L, 1], recorder.Events.Select(e => e.Offset));
        Assert.Equal(2, await Offsets.GetOffsetAsync(stream, "projector"));
        Assert.Empty(await Fixture.Services.GetRequiredService<IParkedEventStore>().ReadAsync(stream, "projector", 10));
    }

    [Fact]
    public async Task Two_instances_of_one_group_process_each_event_once_and_the_standby_takes_over_when_the_active_one_stops()
    {
        var stream = NewName();
        await using var a = await StartConsumerAsync(stream, o => o.TakeoverInterval = TimeSpan.FromSeconds(5));
        await using var b = await StartConsumerAsync(stream, o => o.TakeoverInterval = TimeSpan.FromSeconds(5));
        await Streams.AppendAsync(stream, NewEvents(20));

        await Task.WhenAny(a.Recorder.WhenHandled(20), b.Recorder.WhenHandled(20)).WaitAsync(Deadline.Default);
        var (active, standby) = a.Recorder.Events.Count > 0 ? (a, b) : (b, a);
        Assert.Equal(20, active.Recorder.Events.Count);
        Assert.Empty(standby.Recorder.Events);
        await CommittedAsync(stream, 20);

        await active.StopAsync();
        await Streams.AppendAsync(stream, NewEvents(10, "after"));
        // The standby waits on the lock itself: it takes over as the active one releases it, with no time passing on
        // the (fake) clock (a standby that polled for the lock would never take over here).
        await Deadline.UntilAsync(() => standby.Recorder.Events.Count == 10, "the standby took over");

        Assert.Equal(Enumerable.Range(20, 10).Select(i => (long)i), standby.Recorder.Events.Select(e => e.Offset));
        Assert.Equal(20, active.Recorder.Events.Count);
    }

    [Fact]
    public async Task A_group_whose_committed_offset_was_deleted_by_retention_resumes_at_the_oldest_event_and_logs_the_skip()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(10));
        await Offsets.CommitOffsetAsync(stream, "projector", 2);
        await using (var retention = new Retention.RetentionHost(Fixture, o => o.AddRetentionPolicy(stream, maxAge: null, maxEventCount: 5)))
        {
            await retention.EnforceAsync();
        }

        var logs = new Retention.RetentionHost.LogCapture();
        await using var host = await TestHost.StartAsync(Fixture, s =>
        {
            s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
            s.AddEventStreamConsumer<RecordingStreamHandler>(stream, "projector", o => o.PollInterval = TimeSpan.FromHours(1));
        });
        await host.Recorder.WhenHandled(5).WaitAsync(Deadline.Default);

        Assert.Equal([5L, 6, 7, 8, 9], host.Recorder.Events.Select(e => e.Offset));
        Assert.Contains(logs.Entries, e => e.Id.Id == 3007 && e.Message.Contains("3 events were deleted by retention", StringComparison.Ordinal));
    }
}
