using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.ContractTests;
using Svrnty.CQRS.Events.ContractTests.Consumers;
using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>
/// Subscribe: catch-up, live appends, resuming a consumer group after a reconnect, cancellation. The server's poll
/// interval runs on the fake clock, which these tests do not move for it: live events arrive by notification.
/// </summary>
public abstract class SubscriptionRpcTests(GrpcServer server) : GrpcSuite(server)
{
    /// <summary>Subscribes and waits for the response headers: from then on the subscription sees every append.</summary>
    private async Task<(AsyncServerStreamingCall<StoredEvent> Call, long StartOffset)> SubscribeAsync(SubscribeRequest request, CancellationToken cancellationToken)
    {
        var call = Client.Subscribe(request, cancellationToken: cancellationToken);
        var headers = await call.ResponseHeadersAsync;
        return (call, long.Parse(headers.GetValue(EventStreamingGrpcMetadata.StartOffset)!, CultureInfo.InvariantCulture));
    }

    private static async Task<List<StoredEvent>> TakeAsync(AsyncServerStreamingCall<StoredEvent> call, int count)
    {
        var taken = new List<StoredEvent>();
        while (taken.Count < count && await call.ResponseStream.MoveNext(Timeout))
        {
            taken.Add(call.ResponseStream.Current);
        }

        return taken;
    }

    [Fact]
    public async Task A_subscription_from_the_end_receives_live_appends()
    {
        var stream = NewName();
        await AppendAsync(stream, WireEvent(0), WireEvent(1));
        var (call, start) = await SubscribeAsync(new SubscribeRequest { StreamName = stream, Start = SubscriptionStart.End }, Timeout);
        using var _ = call;
        Assert.Equal(2, start);

        var live = new[] { WireEvent(2), WireEvent(3), WireEvent(4) };
        await Client.AppendAsync(new AppendRequest { StreamName = stream, Event = live[0] }, cancellationToken: Timeout);
        await AppendAsync(stream, live[1..]);

        var taken = await TakeAsync(call, 3);
        Assert.Equal([2L, 3, 4], taken.Select(e => e.Offset));
        for (var i = 0; i < live.Length; i++)
        {
            AssertSameEvent(live[i], taken[i].Event);
        }
    }

    [Fact]
    public async Task A_subscription_catches_up_across_pages_then_follows_live_appends()
    {
        var stream = NewName();
        var backlog = (GrpcServer.PageSize * 2) + 3;
        await AppendAsync(stream, Enumerable.Range(0, backlog).Select(i => WireEvent(i)).ToArray());
        var (call, start) = await SubscribeAsync(new SubscribeRequest { StreamName = stream }, Timeout);
        using var _ = call;
        Assert.Equal(0, start);

        Assert.Equal(Enumerable.Range(0, backlog).Select(i => (long)i), (await TakeAsync(call, backlog)).Select(e => e.Offset));
        await AppendAsync(stream, WireEvent(100), WireEvent(101));
        Assert.Equal([backlog, backlog + 1L], (await TakeAsync(call, 2)).Select(e => e.Offset));
    }

    [Fact]
    public async Task A_new_group_starts_where_the_request_says_and_a_committed_group_where_it_committed()
    {
        var stream = NewName();
        await AppendAsync(stream, Enumerable.Range(0, 5).Select(i => WireEvent(i)).ToArray());
        Time.Advance(TimeSpan.FromMinutes(1));
        var laterAt = Time.GetUtcNow();
        await AppendAsync(stream, Enumerable.Range(5, 5).Select(i => WireEvent(i)).ToArray());
        await Client.CommitOffsetAsync(new CommitOffsetRequest { StreamName = stream, ConsumerGroup = "committed", NextOffset = 8 }, cancellationToken: Timeout);

        async Task<long> FirstOffsetAsync(SubscribeRequest request)
        {
            var (call, start) = await SubscribeAsync(request, Timeout);
            using var _ = call;
            var first = Assert.Single(await TakeAsync(call, 1));
            Assert.Equal(start, first.Offset);
            return first.Offset;
        }

        Assert.Equal(7, await FirstOffsetAsync(new SubscribeRequest { StreamName = stream, ConsumerGroup = "a", Start = SubscriptionStart.Offset, FromOffset = 7 }));
        Assert.Equal(5, await FirstOffsetAsync(new SubscribeRequest
        {
            StreamName = stream, ConsumerGroup = "b", Start = SubscriptionStart.Timestamp, FromTimestamp = Timestamp.FromDateTimeOffset(laterAt),
        }));
        Assert.Equal(8, await FirstOffsetAsync(new SubscribeRequest { StreamName = stream, ConsumerGroup = "committed", Start = SubscriptionStart.Offset, FromOffset = 1 }));
        Assert.Equal(0, await FirstOffsetAsync(new SubscribeRequest { StreamName = stream, ConsumerGroup = "c" }));
    }

    [Fact]
    public async Task The_start_offset_header_is_the_first_offset_delivered_after_retention_trimmed_the_start()
    {
        var stream = NewName();
        await AppendAsync(stream, Enumerable.Range(0, 10).Select(i => WireEvent(i)).ToArray());
        var retention = Server.Services.GetRequiredService<IRetentionBackend>();
        await retention.TrimStreamAsync(stream, maxEventCount: 4, olderThan: null, maxCount: 100);
        await Client.CommitOffsetAsync(new CommitOffsetRequest { StreamName = stream, ConsumerGroup = "stale", NextOffset = 1 }, cancellationToken: Timeout);

        foreach (var request in new[]
                 {
                     new SubscribeRequest { StreamName = stream },
                     new SubscribeRequest { StreamName = stream, Start = SubscriptionStart.Offset, FromOffset = 2 },
                     new SubscribeRequest { StreamName = stream, ConsumerGroup = "stale" },
                 })
        {
            var (call, start) = await SubscribeAsync(request, Timeout);
            using var _ = call;
            Assert.Equal(6, start);
            Assert.Equal(6, Assert.Single(await TakeAsync(call, 1)).Offset);
        }

        // Nothing retained: the first offset delivered is the next one appended.
        await retention.TrimStreamAsync(stream, maxEventCount: 0, olderThan: null, maxCount: 100);
        var (empty, emptyStart) = await SubscribeAsync(new SubscribeRequest { StreamName = stream }, Timeout);
        using var __ = empty;
        Assert.Equal(10, emptyStart);
        await AppendAsync(stream, WireEvent(10));
        Assert.Equal(10, Assert.Single(await TakeAsync(empty, 1)).Offset);
    }

    [Fact]
    public async Task A_client_that_disconnects_resumes_from_its_committed_offset_without_loss()
    {
        var stream = NewName();
        var request = new SubscribeRequest { StreamName = stream, ConsumerGroup = "exporter" };
        await AppendAsync(stream, Enumerable.Range(0, 5).Select(i => WireEvent(i)).ToArray());
        var processed = new List<long>();

        // First connection: process three events, committing each, then drop the connection without a word.
        using (var disconnect = CancellationTokenSource.CreateLinkedTokenSource(Timeout))
        {
            var (call, start) = await SubscribeAsync(request, disconnect.Token);
            using var _ = call;
            Assert.Equal(0, start);
            foreach (var e in await TakeAsync(call, 3))
            {
                processed.Add(e.Offset);
                await Client.CommitOffsetAsync(new CommitOffsetRequest { StreamName = stream, ConsumerGroup = "exporter", NextOffset = e.Offset + 1 },
                    cancellationToken: Timeout);
            }

            await disconnect.CancelAsync();
        }

        await Server.Subscriptions.Ended(stream).WaitAsync(Deadline.Default);
        await AppendAsync(stream, Enumerable.Range(5, 3).Select(i => WireEvent(i)).ToArray()); // appended while disconnected
        Assert.Equal(3, (await Client.GetOffsetAsync(new GetOffsetRequest { StreamName = stream, ConsumerGroup = "exporter" }, cancellationToken: Timeout)).NextOffset);

        // Reconnect with the same group: it starts at the committed offset and misses nothing, live appends included.
        var (resumed, resumedAt) = await SubscribeAsync(request, Timeout);
        using var __ = resumed;
        Assert.Equal(3, resumedAt);
        processed.AddRange((await TakeAsync(resumed, 5)).Select(e => e.Offset));
        await AppendAsync(stream, WireEvent(8));
        processed.AddRange((await TakeAsync(resumed, 1)).Select(e => e.Offset));

        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), processed);
    }

    [Fact]
    public async Task Cancelling_a_subscription_ends_the_server_side_enumeration()
    {
        var stream = NewName();
        await AppendAsync(stream, WireEvent(0));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        var (call, _) = await SubscribeAsync(new SubscribeRequest { StreamName = stream }, cancel.Token);
        using (call)
        {
            Assert.Single(await TakeAsync(call, 1)); // the server is now enumerating, waiting for the next append
            Assert.Equal(1, Server.Subscriptions.ActiveOn(stream));

            await cancel.CancelAsync();

            await Server.Subscriptions.Ended(stream).WaitAsync(Deadline.Default);
            Assert.Equal(0, Server.Subscriptions.ActiveOn(stream));
            var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        }
    }
}
