using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>Pull subscriptions: start positions, catch-up in pages, live appends without waiting for the poll.</summary>
public abstract class SubscriptionTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private IEventStreamSubscriber Subscriber => Fixture.Services.GetRequiredService<IEventStreamSubscriber>();

    // The poll interval runs on the fake clock, which the tests do not move: events that arrive prove the notification path.
    private static SubscriptionOptions Options(SubscriptionStart? start = null, int pageSize = 10) =>
        new() { Start = start ?? SubscriptionStart.Beginning, PageSize = pageSize, PollInterval = TimeSpan.FromHours(1) };

    private async Task<List<StoredEvent>> TakeAsync(string stream, string group, SubscriptionOptions options, int count)
    {
        using var timeout = new CancellationTokenSource(Deadline.Default);
        var taken = new List<StoredEvent>();
        await foreach (var e in Subscriber.SubscribeAsync(stream, group, options, timeout.Token))
        {
            taken.Add(e);
            if (taken.Count == count)
            {
                break;
            }
        }

        return taken;
    }

    [Fact]
    public async Task A_group_resumes_at_its_committed_offset()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(10));
        await Offsets.CommitOffsetAsync(stream, "g", 4);

        var taken = await TakeAsync(stream, "g", Options(SubscriptionStart.End), 6);

        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), taken.Select(e => e.Offset));
    }

    [Fact]
    public async Task A_new_group_starts_where_its_options_say()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(5));
        Time.Advance(TimeSpan.FromMinutes(1));
        var laterAt = Time.GetUtcNow();
        await Streams.AppendAsync(stream, NewEvents(5, "later"));

        Assert.Equal(0, (await TakeAsync(stream, "a", Options(SubscriptionStart.Beginning), 1))[0].Offset);
        Assert.Equal(7, (await TakeAsync(stream, "b", Options(SubscriptionStart.AtOffset(7)), 1))[0].Offset);
        Assert.Equal(5, (await TakeAsync(stream, "c", Options(SubscriptionStart.AtTimestamp(laterAt)), 1))[0].Offset);
    }

    [Fact]
    public async Task A_new_group_starting_at_the_end_sees_only_later_appends()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(5));
        using var timeout = new CancellationTokenSource(Deadline.Default);
        await using var subscription = Subscriber.SubscribeAsync(stream, "g", Options(SubscriptionStart.End), timeout.Token).GetAsyncEnumerator(timeout.Token);
        var first = subscription.MoveNextAsync().AsTask(); // resolves the start (the end, whenever that happens) and waits

        // Keep appending until the subscription, wherever its end was, sees one of these.
        await Deadline.UntilAsync(async () =>
        {
            await Streams.AppendAsync(stream, NewEvent("live"));
            return await Task.WhenAny(first, Task.Delay(50)) == first;
        }, "the subscription received a live event");

        Assert.True(await first);
        Assert.True(subscription.Current.Offset >= 5);
        Assert.Equal("live", ((TestEvent)subscription.Current.Event).Name);
    }

    [Fact]
    public async Task A_subscription_catches_up_page_by_page_then_follows_live_appends_in_order()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(25));
        using var timeout = new CancellationTokenSource(Deadline.Default);
        var taken = new List<StoredEvent>();

        var consuming = Task.Run(async () =>
        {
            await foreach (var e in Subscriber.SubscribeAsync(stream, "g", Options(pageSize: 10), timeout.Token))
            {
                taken.Add(e);
                if (taken.Count == 40)
                {
                    return;
                }
            }
        });
        for (var i = 0; i < 15; i++)
        {
            await Streams.AppendAsync(stream, NewEvent("live", i));
        }

        await consuming.WaitAsync(Deadline.Default);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), taken.Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(0, 15), taken.Skip(25).Select(e => ((TestEvent)e.Event).Number));
    }

    [Fact]
    public async Task Cancelling_ends_a_waiting_subscription()
    {
        var stream = NewName();
        using var cancel = new CancellationTokenSource();
        var waiting = Task.Run(async () =>
        {
            await foreach (var unused in Subscriber.SubscribeAsync(stream, "g", Options(), cancel.Token))
            {
            }
        });

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Deadline.Default));
    }

    [Fact]
    public async Task Lag_is_the_stream_length_minus_each_group_s_next_offset()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(20));
        await Offsets.CommitOffsetAsync(stream, "behind", 5);
        await Offsets.CommitOffsetAsync(stream, "current", 20);

        var lag = await Fixture.Services.GetRequiredService<IConsumerLagMonitor>().GetLagAsync(stream);

        Assert.Equal(["behind", "current"], lag.Select(l => l.ConsumerGroup));
        Assert.Equal([15L, 0], lag.Select(l => l.Lag));
        Assert.All(lag, l => Assert.Equal(20, l.StreamLength));
    }

    [Fact]
    public async Task Lag_as_an_age_is_how_long_the_event_at_each_group_s_next_offset_has_waited()
    {
        var stream = NewName();
        var start = Time.GetUtcNow();
        await Streams.AppendAsync(stream, NewEvents(5));
        Time.Advance(TimeSpan.FromSeconds(30));
        await Streams.AppendAsync(stream, NewEvents(5));
        await Offsets.CommitOffsetAsync(stream, "behind", 2);
        await Offsets.CommitOffsetAsync(stream, "middle", 5);
        await Offsets.CommitOffsetAsync(stream, "current", 10);
        Time.Advance(TimeSpan.FromSeconds(60));

        var lag = (await Fixture.Services.GetRequiredService<IConsumerLagMonitor>().GetLagAsync(stream)).ToDictionary(l => l.ConsumerGroup);

        Assert.Equal((8L, TimeSpan.FromSeconds(90), start), (lag["behind"].Lag, lag["behind"].LagAge, lag["behind"].OldestUnprocessedTimestamp));
        Assert.Equal((5L, TimeSpan.FromSeconds(60), start.AddSeconds(30)), (lag["middle"].Lag, lag["middle"].LagAge, lag["middle"].OldestUnprocessedTimestamp));
        Assert.Equal((0L, TimeSpan.Zero, (DateTimeOffset?)null), (lag["current"].Lag, lag["current"].LagAge, lag["current"].OldestUnprocessedTimestamp));
    }
}
