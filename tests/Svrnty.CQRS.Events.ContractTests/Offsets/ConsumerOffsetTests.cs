namespace Svrnty.CQRS.Events.ContractTests.Offsets;

/// <summary>DESIGN.md semantics 13: commits never move a group backwards; resets set any value.</summary>
public abstract class ConsumerOffsetTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task A_group_that_never_committed_has_no_offset()
    {
        Assert.Null(await Offsets.GetOffsetAsync(NewName(), "group"));
        Assert.Empty(await Offsets.GetOffsetsAsync(NewName()));
    }

    [Fact]
    public async Task A_commit_moves_the_group_forward_and_a_lower_commit_is_ignored()
    {
        var stream = NewName();
        await Offsets.CommitOffsetAsync(stream, "g", 10);
        await Offsets.CommitOffsetAsync(stream, "g", 25);
        await Offsets.CommitOffsetAsync(stream, "g", 7);

        Assert.Equal(25, await Offsets.GetOffsetAsync(stream, "g"));
    }

    [Fact]
    public async Task A_reset_sets_any_value_backwards_included()
    {
        var stream = NewName();
        await Offsets.CommitOffsetAsync(stream, "g", 25);

        await Offsets.ResetOffsetAsync(stream, "g", 3);
        Assert.Equal(3, await Offsets.GetOffsetAsync(stream, "g"));

        await Offsets.ResetOffsetAsync(stream, "fresh", 0);
        Assert.Equal(0, await Offsets.GetOffsetAsync(stream, "fresh"));
    }

    [Fact]
    public async Task Offsets_are_listed_per_stream_ordered_by_group_with_their_update_time()
    {
        var stream = NewName();
        var other = NewName();
        await Offsets.CommitOffsetAsync(stream, "b-group", 5);
        Time.Advance(TimeSpan.FromSeconds(3));
        var updatedAt = Time.GetUtcNow();
        await Offsets.CommitOffsetAsync(stream, "a-group", 9);
        await Offsets.CommitOffsetAsync(other, "a-group", 100);

        var offsets = await Offsets.GetOffsetsAsync(stream);

        Assert.Equal(["a-group", "b-group"], offsets.Select(o => o.ConsumerGroup));
        Assert.Equal([9L, 5], offsets.Select(o => o.NextOffset));
        Assert.All(offsets, o => Assert.Equal(stream, o.StreamName));
        Assert.Equal(updatedAt, offsets[0].UpdatedAt);
        Assert.Equal(9, await Offsets.GetOffsetAsync(stream, "a-group"));
        Assert.Equal(100, await Offsets.GetOffsetAsync(other, "a-group"));
    }

    [Fact]
    public async Task Concurrent_commits_keep_the_highest_value()
    {
        var stream = NewName();

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => Offsets.CommitOffsetAsync(stream, "g", i))));

        Assert.Equal(99, await Offsets.GetOffsetAsync(stream, "g"));
    }
}
