using Svrnty.CQRS.Events.Grpc.Tests.Infrastructure;
using Svrnty.CQRS.Events.Grpc.V1;

namespace Svrnty.CQRS.Events.Grpc.Tests.Suites;

/// <summary>CommitOffset, ResetOffset, GetOffset, ListOffsets.</summary>
public abstract class OffsetRpcTests(GrpcServer server) : GrpcSuite(server)
{
    [Fact]
    public async Task Offsets_are_committed_never_backwards_reset_to_any_value_and_listed()
    {
        var stream = NewName();
        var get = new GetOffsetRequest { StreamName = stream, ConsumerGroup = "b-group" };
        Assert.False((await Client.GetOffsetAsync(get, cancellationToken: Timeout)).HasNextOffset);

        await Client.CommitOffsetAsync(new CommitOffsetRequest { StreamName = stream, ConsumerGroup = "b-group", NextOffset = 5 }, cancellationToken: Timeout);
        await Client.CommitOffsetAsync(new CommitOffsetRequest { StreamName = stream, ConsumerGroup = "b-group", NextOffset = 3 }, cancellationToken: Timeout);
        Assert.Equal(5, (await Client.GetOffsetAsync(get, cancellationToken: Timeout)).NextOffset);

        await Client.ResetOffsetAsync(new ResetOffsetRequest { StreamName = stream, ConsumerGroup = "b-group", NextOffset = 2 }, cancellationToken: Timeout);
        Assert.Equal(2, (await Client.GetOffsetAsync(get, cancellationToken: Timeout)).NextOffset);

        Time.Advance(TimeSpan.FromSeconds(10));
        await Client.CommitOffsetAsync(new CommitOffsetRequest { StreamName = stream, ConsumerGroup = "a-group", NextOffset = 9 }, cancellationToken: Timeout);
        var listed = (await Client.ListOffsetsAsync(new ListOffsetsRequest { StreamName = stream }, cancellationToken: Timeout)).Offsets;
        Assert.Equal([("a-group", 9L), ("b-group", 2L)], listed.Select(o => (o.ConsumerGroup, o.NextOffset)));
        Assert.All(listed, o => Assert.Equal(stream, o.StreamName));
        Assert.Equal(Time.GetUtcNow(), listed[0].UpdatedAt.ToDateTimeOffset());
        Assert.Empty((await Client.ListOffsetsAsync(new ListOffsetsRequest { StreamName = NewName("missing") }, cancellationToken: Timeout)).Offsets);
    }
}
