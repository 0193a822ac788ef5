using System.Globalization;
using Grpc.Core;
using LogStreams = Svrnty.CQRS.Events.Abstractions.LogStreams;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>
/// The log streams over gRPC: <c>ReadStream</c>, <c>GetStreamLength</c>, <c>GetStreamMetadata</c> and <c>Subscribe</c>
/// on <c>$all</c> and on a category log send each event with its own <c>stream_name</c> and <c>offset</c> and its
/// <c>position</c> in the log, and page and resume by position; writing to a log is <c>INVALID_ARGUMENT</c>. Each test
/// uses a category of its own; on <c>$all</c>, which other tests append to at the same time, it looks at its own
/// streams only.
/// </summary>
public abstract class LogRpcTests(GrpcServer server) : GrpcSuite(server)
{
    private static string NewCategory() => $"cat{Guid.NewGuid():N}";

    private async Task<long> LengthAsync(string stream) =>
        (await Client.GetStreamLengthAsync(new GetStreamLengthRequest { StreamName = stream }, cancellationToken: Timeout)).Length;

    private async Task<(AsyncServerStreamingCall<StoredEvent> Call, long StartOffset)> SubscribeAsync(SubscribeRequest request)
    {
        var call = Client.Subscribe(request, cancellationToken: Timeout);
        var headers = await call.ResponseHeadersAsync;
        return (call, long.Parse(headers.GetValue(EventStreamingGrpcMetadata.StartOffset)!, CultureInfo.InvariantCulture));
    }

    /// <summary>Reads the subscription until <paramref name="count"/> events of <paramref name="mine"/> have come.</summary>
    private static async Task<List<StoredEvent>> TakeAsync(AsyncServerStreamingCall<StoredEvent> call, int count, Func<StoredEvent, bool>? mine = null)
    {
        var taken = new List<StoredEvent>();
        while (taken.Count < count && await call.ResponseStream.MoveNext(Timeout))
        {
            if (mine?.Invoke(call.ResponseStream.Current) ?? true)
            {
                taken.Add(call.ResponseStream.Current);
            }
        }

        return taken;
    }

    [Fact]
    public async Task ReadStream_on_a_category_log_sends_each_event_with_its_own_stream_and_offset_at_gapless_positions()
    {
        var category = NewCategory();
        var log = LogStreams.Category(category);
        var sent = Enumerable.Range(0, (GrpcServer.PageSize * 2) + 3).Select(i => WireEvent(i)).ToArray();
        var expected = new List<(string Stream, long Offset)>();
        for (var i = 0; i < sent.Length; i++)
        {
            var stream = $"{category}-{i % 3}";
            await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = sent[i] }, cancellationToken: Timeout);
            expected.Add((stream, i / 3));
        }

        await AppendAsync($"{category}x-1", WireEvent(99)); // another category

        var read = await ReadAllAsync(new ReadStreamRequest { StreamName = log }); // pages of PageSize, each from the last position + 1
        Assert.Equal(Enumerable.Range(0, sent.Length).Select(i => (long)i), read.Select(e => e.Position));
        Assert.Equal(expected, read.Select(e => (e.StreamName, e.Offset)));
        for (var i = 0; i < sent.Length; i++)
        {
            AssertSameEvent(sent[i], read[i].Event);
        }

        Assert.Equal([5L, 6, 7], (await ReadAllAsync(new ReadStreamRequest { StreamName = log, FromOffset = 5, MaxCount = 3 })).Select(e => e.Position));
        Assert.Empty(await ReadAllAsync(new ReadStreamRequest { StreamName = log, FromOffset = sent.Length }));
        var own = await ReadAllAsync(new ReadStreamRequest { StreamName = $"{category}-1" });
        Assert.All(own, e => Assert.Equal(e.Offset, e.Position)); // a stream's own read: the position is the offset

        Assert.Equal(sent.Length, await LengthAsync(log));
        var metadata = await Client.GetStreamMetadataAsync(new GetStreamMetadataRequest { StreamName = log }, cancellationToken: Timeout);
        Assert.Equal((log, true, (long)sent.Length, (long)sent.Length, 0L, sent.Length - 1L),
            (metadata.StreamName, metadata.Exists, metadata.Length, metadata.RetainedCount, metadata.OldestEventOffset, metadata.NewestEventOffset));
        Assert.Equal(0, await LengthAsync(LogStreams.Category(NewCategory())));
    }

    [Fact]
    public async Task ReadStream_on_all_sends_every_stream_with_positions_past_the_length_read_before()
    {
        var category = NewCategory();
        var plain = $"plain{Guid.NewGuid():N}"; // no '-': in no category, only in $all
        var before = await LengthAsync(LogStreams.All);
        await AppendAsync($"{category}-1", WireEvent(0), WireEvent(1));
        await AppendAsync(plain, WireEvent(2));
        await AppendAsync($"{category}-1", WireEvent(3));

        var all = await ReadAllAsync(new ReadStreamRequest { StreamName = LogStreams.All, FromOffset = before });
        var mine = all.Where(e => e.StreamName == plain || e.StreamName.StartsWith(category, StringComparison.Ordinal)).ToList();

        Assert.Equal([($"{category}-1", 0L), ($"{category}-1", 1L), (plain, 0L), ($"{category}-1", 2L)], mine.Select(e => (e.StreamName, e.Offset)));
        Assert.All(mine, e => Assert.True(e.Position >= before));
        Assert.Equal(mine.Select(e => e.Position).Order(), mine.Select(e => e.Position));
        Assert.Equal(all.Count, all.Select(e => e.Position).Distinct().Count());
        Assert.True(await LengthAsync(LogStreams.All) >= before + 4);
        Assert.Equal(3, await LengthAsync(LogStreams.Category(category)));
    }

    [Fact]
    public async Task Subscribe_on_a_category_log_catches_up_follows_live_appends_and_a_group_resumes_from_its_committed_position()
    {
        var category = NewCategory();
        var log = LogStreams.Category(category);
        var backlog = GrpcServer.PageSize + 2;
        for (var i = 0; i < backlog; i++)
        {
            await AppendAsync($"{category}-{i % 2}", WireEvent(i));
        }

        var request = new SubscribeRequest { StreamName = log, ConsumerGroup = "exporter" };
        var (call, start) = await SubscribeAsync(request);
        using (call)
        {
            Assert.Equal(0, start);
            var caughtUp = await TakeAsync(call, backlog);
            Assert.Equal(Enumerable.Range(0, backlog).Select(i => (long)i), caughtUp.Select(e => e.Position));
            Assert.Equal(Enumerable.Range(0, backlog).Select(i => ($"{category}-{i % 2}", (long)(i / 2))), caughtUp.Select(e => (e.StreamName, e.Offset)));

            var live = new[] { WireEvent(100), WireEvent(101) };
            await AppendAsync($"{category}-9", live);
            var followed = await TakeAsync(call, 2);
            Assert.Equal([(backlog, $"{category}-9", 0L), (backlog + 1, $"{category}-9", 1L)], followed.Select(e => (e.Position, e.StreamName, e.Offset)));
            AssertSameEvent(live[1], followed[1].Event);

            // The client commits the position it processed + 1 (not the offset: that is order-9's own).
            await Client.CommitOffsetAsync(new CommitOffsetRequest { StreamName = log, ConsumerGroup = "exporter", NextOffset = followed[0].Position + 1 },
                cancellationToken: Timeout);
        }

        await Server.Subscriptions.Ended(log).WaitAsync(Deadline.Default);
        var (resumed, resumedAt) = await SubscribeAsync(request);
        using (resumed)
        {
            Assert.Equal(backlog + 1, resumedAt);
            var next = Assert.Single(await TakeAsync(resumed, 1));
            Assert.Equal((backlog + 1L, $"{category}-9", 1L), (next.Position, next.StreamName, next.Offset));
        }
    }

    [Fact]
    public async Task Subscribe_on_all_from_the_end_streams_live_appends_of_every_stream_with_their_positions()
    {
        var category = NewCategory();
        var plain = $"plain{Guid.NewGuid():N}";
        var (call, start) = await SubscribeAsync(new SubscribeRequest { StreamName = LogStreams.All, Start = SubscriptionStart.End });
        using var _ = call;

        await AppendAsync($"{category}-1", WireEvent(0));
        await AppendAsync(plain, WireEvent(1), WireEvent(2));

        var mine = await TakeAsync(call, 3, e => e.StreamName == plain || e.StreamName == $"{category}-1");
        Assert.Equal([($"{category}-1", 0L), (plain, 0L), (plain, 1L)], mine.Select(e => (e.StreamName, e.Offset)));
        Assert.All(mine, e => Assert.True(e.Position >= start));
        Assert.Equal(mine[1].Position + 1, mine[2].Position); // a batch's events are contiguous in every log
        Assert.True(mine[0].Position < mine[1].Position);
    }

    [Fact]
    public async Task Writing_to_a_log_stream_is_INVALID_ARGUMENT_naming_stream_name_and_nothing_is_written()
    {
        var category = NewCategory();
        var log = LogStreams.Category(category);

        await InvalidArgumentAsync("stream_name", () => Client.AppendAsync(new AppendRequest { StreamName = LogStreams.All, Event = WireEvent() }).ResponseAsync);
        await InvalidArgumentAsync("stream_name", () => Client.AppendAsync(new AppendRequest { StreamName = log, Event = WireEvent(), ExpectedLength = 0 }).ResponseAsync);
        var batch = new AppendBatchRequest { StreamName = log };
        batch.Events.AddRange([WireEvent(0), WireEvent(1)]);
        await InvalidArgumentAsync("stream_name", () => Client.AppendBatchAsync(batch).ResponseAsync);
        await InvalidArgumentAsync("queue_name", () => Client.EnqueueAsync(new EnqueueRequest { QueueName = LogStreams.All, Event = WireEvent() }).ResponseAsync);
        await InvalidArgumentAsync("stream_name", () => ReadAllAsync(new ReadStreamRequest { StreamName = "$orders" })); // a '$' name that is no log

        Assert.Equal(0, await LengthAsync(log));
    }
}
