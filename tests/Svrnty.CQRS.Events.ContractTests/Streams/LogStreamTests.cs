using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.ContractTests.Consumers;
using Svrnty.CQRS.Events.ContractTests.Retention;

namespace Svrnty.CQRS.Events.ContractTests.Streams;

/// <summary>
/// The log streams the store maintains (DESIGN.md semantics 15-20): <c>$all</c> and <c>$ce-{category}</c> are read like
/// any stream, with gapless positions given as events become visible, each stream's order and an append's contiguity
/// kept, read-your-writes, retention, subscriptions and hosted consumers. Each test uses a category of its own, so the
/// tests sharing a fixture never see each other's events in a category log.
/// </summary>
public abstract class LogStreamTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private static string NewCategory() => $"cat{Guid.NewGuid():N}";

    private async Task<List<StoredEvent>> ReadAllAsync(string stream, long from = 0, int page = 100)
    {
        var all = new List<StoredEvent>();
        while (true)
        {
            var events = await Streams.ReadStreamAsync(stream, from, page);
            if (events.Count == 0)
            {
                return all;
            }

            all.AddRange(events);
            from = events[^1].Position + 1;
        }
    }

    [Fact]
    public async Task A_category_log_holds_the_events_of_its_streams_with_their_own_names_and_offsets_at_gapless_positions()
    {
        var category = NewCategory();
        await Streams.AppendAsync($"{category}-1", NewEvents(2, "one"));
        await Streams.AppendAsync($"{category}-2-lines", NewEvent("lines"));
        await Streams.AppendAsync($"{category}-1", NewEvent("one-more"));
        await Streams.AppendAsync($"{category}x-1", NewEvent("other category"));

        var log = await ReadAllAsync(LogStreams.Category(category));

        Assert.Equal([0L, 1L, 2L, 3L], log.Select(e => e.Position));
        Assert.Equal([($"{category}-1", 0L), ($"{category}-1", 1L), ($"{category}-2-lines", 0L), ($"{category}-1", 2L)],
            log.Select(e => (e.StreamName, e.Offset)));
        Assert.Equal(["one", "one", "lines", "one-more"], log.Select(e => ((TestEvent)e.Event).Name));
        var own = await Streams.ReadStreamAsync($"{category}-1", 0, 10);
        Assert.Equal(own.Select(e => e.Offset), own.Select(e => e.Position));
        Assert.Equal(own.Select(e => e with { Position = 0 }), log.Where(e => e.StreamName == $"{category}-1").Select(e => e with { Position = 0 }));
    }

    [Fact]
    public async Task All_holds_every_stream_and_a_name_without_a_dash_is_in_no_category()
    {
        var plain = $"plain{Guid.NewGuid():N}";
        var category = NewCategory();
        var before = await Streams.GetStreamLengthAsync(LogStreams.All);
        await Streams.AppendAsync(plain, NewEvent("plain"));
        await Streams.AppendAsync($"{category}-1", NewEvent("categorized"));

        var all = await Streams.ReadStreamAsync(LogStreams.All, before, 100);

        Assert.Equal([plain, $"{category}-1"], all.Select(e => e.StreamName));
        Assert.Equal([before, before + 1], all.Select(e => e.Position));
        Assert.Equal(0, await Streams.GetStreamLengthAsync(LogStreams.Category(plain)));
    }

    [Fact]
    public async Task Once_an_append_returns_a_log_read_its_length_and_its_metadata_count_it()
    {
        var category = NewCategory();
        var log = LogStreams.Category(category);
        for (var i = 0; i < 5; i++)
        {
            await Streams.AppendAsync($"{category}-{i % 2}", NewEvent("e", i));

            Assert.Equal(i + 1, await Streams.GetStreamLengthAsync(log));
            var metadata = await Streams.GetStreamMetadataAsync(log);
            Assert.Equal((true, i + 1L, i + 1L, 0L, (long)i), (metadata.Exists, metadata.Length, metadata.RetainedCount,
                metadata.OldestEventOffset!.Value, metadata.NewestEventOffset!.Value));
            Assert.Equal(i, Assert.Single(await Streams.ReadStreamAsync(log, i, 10)).Position);
        }
    }

    [Fact]
    public async Task A_log_that_never_had_an_event_does_not_exist()
    {
        var metadata = await Streams.GetStreamMetadataAsync(LogStreams.Category(NewCategory()));

        Assert.Equal((false, 0L, 0L), (metadata.Exists, metadata.Length, metadata.RetainedCount));
        Assert.Null(metadata.OldestEventOffset);
        Assert.Empty(await Streams.ReadStreamAsync(LogStreams.Category(NewCategory()), 0, 10));
    }

    [Fact]
    public async Task A_multi_event_append_gets_contiguous_positions_and_an_idempotent_retry_adds_nothing()
    {
        var category = NewCategory();
        var batch = NewEvents(4);
        await Streams.AppendAsync($"{category}-a", NewEvent("first"));
        await Streams.AppendAsync($"{category}-b", batch);
        await Streams.AppendAsync($"{category}-b", batch);
        await Streams.AppendAsync($"{category}-b", [.. batch, NewEvent("new")], expectedLength: 4);

        var log = await ReadAllAsync(LogStreams.Category(category));

        Assert.Equal(6, log.Count);
        Assert.Equal([1L, 2L, 3L, 4L], log.Where(e => e.EventId != log[0].EventId && ((TestEvent)e.Event).Name == "batch").Select(e => e.Position));
        Assert.Equal(6, await Streams.GetStreamLengthAsync(LogStreams.Category(category)));
    }

    [Fact]
    public async Task Retention_deletes_from_the_logs_too_and_positions_are_never_reused()
    {
        var category = NewCategory();
        var trimmed = $"{category}-trimmed";
        await using var host = new RetentionHost(Fixture, o => o.AddRetentionPolicy(trimmed, maxEventCount: 1));
        await Streams.AppendAsync(trimmed, NewEvents(3, "old"));
        await Streams.AppendAsync($"{category}-kept", NewEvent("kept"));
        var log = LogStreams.Category(category);
        Assert.Equal(4, (await ReadAllAsync(log)).Count);

        await host.EnforceAsync();
        await Streams.AppendAsync($"{category}-kept", NewEvent("after"));

        var read = await ReadAllAsync(log);
        Assert.Equal([(2L, "old"), (3L, "kept"), (4L, "after")], read.Select(e => (e.Position, ((TestEvent)e.Event).Name)));
        var metadata = await Streams.GetStreamMetadataAsync(log);
        Assert.Equal((5L, 3L, 2L, 4L), (metadata.Length, metadata.RetainedCount, metadata.OldestEventOffset!.Value, metadata.NewestEventOffset!.Value));
    }

    [Fact]
    public async Task A_start_from_a_timestamp_finds_the_lowest_position_accepted_at_or_after_it()
    {
        var category = NewCategory();
        var log = LogStreams.Category(category);
        await Streams.AppendAsync($"{category}-1", NewEvents(2, "early"));
        Time.Advance(TimeSpan.FromMinutes(1));
        var cutoff = Time.GetUtcNow();
        await Streams.AppendAsync($"{category}-2", NewEvent("late"));
        var locator = Fixture.Services.GetRequiredService<IEventStreamLocator>();

        Assert.Equal(2, await locator.FindOffsetAsync(log, cutoff));
        Assert.Equal(3, await locator.FindOffsetAsync(log, cutoff + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Eight_writers_on_sixteen_streams_of_one_category_while_a_reader_tails_it_every_event_once_in_stream_order()
    {
        var category = NewCategory();
        var log = LogStreams.Category(category);
        const int writers = 8, perWriter = 40;
        using var stop = new CancellationTokenSource(Deadline.Default);
        var seen = new List<StoredEvent>();
        var reader = Task.Run(async () =>
        {
            var next = 0L;
            while (seen.Count < writers * perWriter)
            {
                var page = await Streams.ReadStreamAsync(log, next, 50, stop.Token);
                seen.AddRange(page);
                next = page.Count > 0 ? page[^1].Position + 1 : next;
            }
        }, stop.Token);

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var stream = $"{category}-{(w * perWriter + i) % 16}";
                await Streams.AppendAsync(stream, i % 5 == 0 ? NewEvents(1, $"w{w}") : [NewEvent($"w{w}", i)]);
            }
        })));
        await reader;

        Assert.Equal(Enumerable.Range(0, writers * perWriter).Select(i => (long)i), seen.Select(e => e.Position));
        Assert.Equal(writers * perWriter, seen.Select(e => e.EventId).Distinct().Count());
        Assert.All(seen.GroupBy(e => e.StreamName), s => Assert.Equal(Enumerable.Range(0, s.Count()).Select(i => (long)i), s.Select(e => e.Offset)));
    }

    [Fact]
    public async Task A_subscription_to_a_category_follows_live_appends_to_its_streams()
    {
        var category = NewCategory();
        var subscriber = Fixture.Services.GetRequiredService<IEventStreamSubscriber>();
        await Streams.AppendAsync($"{category}-1", NewEvent("before"));
        using var timeout = new CancellationTokenSource(Deadline.Default);
        var options = new SubscriptionOptions { Start = SubscriptionStart.Beginning, PollInterval = TimeSpan.FromHours(1) };
        var taken = new List<StoredEvent>();
        await using var subscription = subscriber.SubscribeAsync(LogStreams.Category(category), "g", options, timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.True(await subscription.MoveNextAsync());
        taken.Add(subscription.Current);
        await Streams.AppendAsync($"{category}-2", NewEvent("live"));
        Assert.True(await subscription.MoveNextAsync());
        taken.Add(subscription.Current);

        Assert.Equal([(0L, "before"), (1L, "live")], taken.Select(e => (e.Position, ((TestEvent)e.Event).Name)));
    }

    [Fact]
    public async Task Replay_and_lag_work_on_a_category_log_by_position()
    {
        var category = NewCategory();
        var log = LogStreams.Category(category);
        await Streams.AppendAsync($"{category}-a", NewEvents(3));
        Time.Advance(TimeSpan.FromSeconds(30));
        await Streams.AppendAsync($"{category}-b", NewEvents(2));
        Time.Advance(TimeSpan.FromSeconds(60));

        var positions = new List<long>();
        var replay = Fixture.Services.GetRequiredService<IEventReplayService>();
        var result = await replay.ReplayAsync(log, (e, _) =>
        {
            positions.Add(e.Position);
            return ValueTask.CompletedTask;
        }, new ReplayOptions { FromOffset = 1, PageSize = 2 });
        Assert.Equal([1L, 2L, 3L, 4L], positions);
        Assert.Equal((4L, 4L), (result.EventsDone, result.LastOffset));

        // A group's offset in a log is a position: 3 is the first event of order-b, accepted 60 s ago.
        await Offsets.CommitOffsetAsync(log, "projection", 3);
        var lag = Assert.Single(await Fixture.Services.GetRequiredService<IConsumerLagMonitor>().GetLagAsync(log));
        Assert.Equal(("projection", 5L, 2L, TimeSpan.FromSeconds(60)), (lag.ConsumerGroup, lag.StreamLength, lag.Lag, lag.LagAge));
    }

    [Fact]
    public async Task A_hosted_consumer_on_a_category_handles_every_stream_in_position_order_and_commits_positions()
    {
        var category = NewCategory();
        var log = LogStreams.Category(category);
        await Streams.AppendAsync($"{category}-1", NewEvents(3, "a"));
        await using var host = await TestHost.StartAsync(Fixture, s => s.AddEventStreamConsumer<RecordingStreamHandler>(log, "read-model", o =>
        {
            o.BatchSize = 2;
            o.PollInterval = TimeSpan.FromHours(1);
        }));
        await Streams.AppendAsync($"{category}-2", NewEvents(2, "b"));

        await host.Recorder.WhenHandled(5).WaitAsync(Deadline.Default);
        await Deadline.UntilAsync(() => Offsets.GetOffsetAsync(log, "read-model"), offset => offset == 5, "the group's position in the log is 5");

        Assert.Equal([0L, 1L, 2L, 3L, 4L], host.Recorder.Events.Select(e => e.Position));
        Assert.Equal([$"{category}-1", $"{category}-1", $"{category}-1", $"{category}-2", $"{category}-2"], host.Recorder.Events.Select(e => e.StreamName));
    }

    [Theory]
    [InlineData("$all")]
    [InlineData("$ce-order")]
    [InlineData("$anything")]
    public async Task Names_starting_with_a_dollar_cannot_be_written_to(string name)
    {
        Assert.Equal("streamName", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.AppendAsync(name, NewEvent()))).ParamName);
        Assert.Equal("streamName", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.AppendAsync(name, NewEvents(2), 0))).ParamName);
        Assert.Equal("streamName", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.EnqueueAsync(name, NewEvent()))).ParamName);
        Assert.Equal("configuration", (await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Configurations.SetAsync(new StreamConfiguration { StreamName = name, MaxDeliveryAttempts = 3 }))).ParamName);
        Assert.Equal("policy", (await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            RetentionPolicies.SetAsync(new RetentionPolicy { StreamName = name, MaxEventCount = 1 }))).ParamName);
    }

    [Theory]
    [InlineData("$anything")]
    [InlineData("$ce-")]
    [InlineData("$ce-a-b")]
    [InlineData("$All")]
    public async Task A_dollar_name_that_is_not_a_log_cannot_be_read_either(string name)
    {
        Assert.Equal("streamName", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.ReadStreamAsync(name, 0, 10))).ParamName);
        Assert.Equal("streamName", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.GetStreamLengthAsync(name))).ParamName);
        Assert.Equal("streamName", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Offsets.CommitOffsetAsync(name, "g", 1))).ParamName);
    }

    [Fact]
    public async Task Logs_reject_negative_positions_and_category_names_are_validated()
    {
        Assert.Equal("fromOffset", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.ReadStreamAsync(LogStreams.All, -1, 10))).ParamName);
        Assert.Equal("category", Assert.ThrowsAny<ArgumentException>(() => LogStreams.Category("")).ParamName);
        Assert.Equal("category", Assert.ThrowsAny<ArgumentException>(() => LogStreams.Category("a-b")).ParamName);
        Assert.Equal("category", Assert.ThrowsAny<ArgumentException>(() => LogStreams.Category(new string('c', 253))).ParamName);
        Assert.Equal("$ce-" + new string('c', 252), LogStreams.Category(new string('c', 252)));
        Assert.Equal((string?)"order", LogStreams.CategoryOf("order-42-lines"));
        Assert.Null(LogStreams.CategoryOf("orders"));
        Assert.Null(LogStreams.CategoryOf("-orders"));
        Assert.Null(LogStreams.CategoryOf(new string('c', 253) + "-1"));
        Assert.Null(LogStreams.CategoryOf("   -1"));
    }
}
