using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Streams;

/// <summary>DESIGN.md semantics 1: offsets start at 0 and are contiguous; a batch is atomic and contiguous.</summary>
public abstract class AppendTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task First_event_gets_offset_zero_and_later_ones_follow_contiguously()
    {
        var stream = NewName();

        var offsets = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            offsets.Add(await Streams.AppendAsync(stream, NewEvent(number: i)));
        }

        Assert.Equal([0L, 1, 2, 3, 4], offsets);
        var read = await Streams.ReadStreamAsync(stream, 0, 100);
        Assert.Equal(offsets, read.Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(0, 5), read.Select(e => ((TestEvent)e.Event).Number));
    }

    [Fact]
    public async Task A_batch_returns_the_offset_of_its_last_event_and_lands_contiguously_after_earlier_events()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvent());

        var last = await Streams.AppendAsync(stream, NewEvents(10));

        Assert.Equal(10, last);
        var read = await Streams.ReadStreamAsync(stream, 1, 100);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), read.Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(0, 10), read.Select(e => ((TestEvent)e.Event).Number));
    }

    [Fact]
    public async Task Each_stream_has_its_own_offsets()
    {
        var a = NewName();
        var b = NewName();

        await Streams.AppendAsync(a, NewEvents(3));
        var firstOfB = await Streams.AppendAsync(b, NewEvent());

        Assert.Equal(0, firstOfB);
        Assert.Equal(3, await Streams.GetStreamLengthAsync(a));
        Assert.Equal(1, await Streams.GetStreamLengthAsync(b));
    }

    [Fact]
    public async Task A_batch_that_fails_on_its_expected_length_writes_none_of_its_events()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(2));

        await Assert.ThrowsAsync<StreamConcurrencyException>(() => Streams.AppendAsync(stream, NewEvents(5), expectedLength: 1));

        Assert.Equal(2, await Streams.GetStreamLengthAsync(stream));
        Assert.Equal(2, (await Streams.ReadStreamAsync(stream, 0, 100)).Count);
    }
}
