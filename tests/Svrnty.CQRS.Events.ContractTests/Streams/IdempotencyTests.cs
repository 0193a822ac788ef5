using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Streams;

/// <summary>DESIGN.md semantics 4: an event id already in the stream is not appended again.</summary>
public abstract class IdempotencyTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task Appending_the_same_event_twice_stores_it_once_and_returns_its_offset()
    {
        var stream = NewName();
        var e = NewEvent();
        await Streams.AppendAsync(stream, NewEvent());
        var first = await Streams.AppendAsync(stream, e);
        await Streams.AppendAsync(stream, NewEvent());

        var again = await Streams.AppendAsync(stream, e);

        Assert.Equal(1, first);
        Assert.Equal(first, again);
        Assert.Equal(3, await Streams.GetStreamLengthAsync(stream));
    }

    [Fact]
    public async Task A_retried_batch_succeeds_whatever_its_expected_length_and_returns_the_offset_of_its_last_event()
    {
        var stream = NewName();
        var batch = NewEvents(3);
        await Streams.AppendAsync(stream, batch, expectedLength: 0);
        await Streams.AppendAsync(stream, NewEvent());

        var retried = await Streams.AppendAsync(stream, batch, expectedLength: 0);

        Assert.Equal(2, retried);
        Assert.Equal(4, await Streams.GetStreamLengthAsync(stream));
    }

    [Fact]
    public async Task A_batch_that_is_partly_stored_appends_only_the_new_events()
    {
        var stream = NewName();
        var old = NewEvent("old");
        await Streams.AppendAsync(stream, old);
        var fresh1 = NewEvent("new", 1);
        var fresh2 = NewEvent("new", 2);

        var last = await Streams.AppendAsync(stream, [fresh1, old, fresh2]);

        Assert.Equal(2, last);
        var read = await Streams.ReadStreamAsync(stream, 0, 10);
        Assert.Equal([old.EventId, fresh1.EventId, fresh2.EventId], read.Select(e => e.EventId));
    }

    [Fact]
    public async Task A_partly_stored_batch_still_honours_its_expected_length()
    {
        var stream = NewName();
        var old = NewEvent("old");
        await Streams.AppendAsync(stream, [old, NewEvent()]);

        await Assert.ThrowsAsync<StreamConcurrencyException>(
            () => Streams.AppendAsync(stream, [old, NewEvent("new")], expectedLength: 1));

        Assert.Equal(2, await Streams.GetStreamLengthAsync(stream));
    }

    [Fact]
    public async Task Concurrent_appends_of_the_same_event_store_it_once()
    {
        var stream = NewName();
        var e = NewEvent();

        var offsets = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Streams.AppendAsync(stream, e))));

        Assert.All(offsets, o => Assert.Equal(0, o));
        Assert.Equal(1, await Streams.GetStreamLengthAsync(stream));
    }

    [Fact]
    public async Task The_same_event_id_may_be_appended_to_different_streams()
    {
        var e = NewEvent();

        await Streams.AppendAsync(NewName(), e);
        var offset = await Streams.AppendAsync(NewName(), e);

        Assert.Equal(0, offset);
    }
}
