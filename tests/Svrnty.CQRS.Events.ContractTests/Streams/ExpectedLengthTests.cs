using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Streams;

/// <summary>DESIGN.md semantics 3: an append with an expected length succeeds only at that length.</summary>
public abstract class ExpectedLengthTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task Expected_length_zero_creates_a_new_stream()
    {
        var stream = NewName();

        var last = await Streams.AppendAsync(stream, NewEvents(2), expectedLength: 0);

        Assert.Equal(1, last);
    }

    [Fact]
    public async Task Expected_length_zero_on_an_existing_stream_throws_with_both_lengths_and_writes_nothing()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(3));

        var error = await Assert.ThrowsAsync<StreamConcurrencyException>(
            () => Streams.AppendAsync(stream, NewEvents(1), expectedLength: 0));

        Assert.Equal(stream, error.StreamName);
        Assert.Equal(0, error.ExpectedLength);
        Assert.Equal(3, error.ActualLength);
        Assert.IsAssignableFrom<EventStreamException>(error);
        Assert.Equal(3, await Streams.GetStreamLengthAsync(stream));
    }

    [Fact]
    public async Task The_current_length_as_expected_length_appends()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(3));

        var last = await Streams.AppendAsync(stream, NewEvents(2), expectedLength: 3);

        Assert.Equal(4, last);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task A_stale_or_future_expected_length_throws_and_writes_nothing(long expected)
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(3));

        var error = await Assert.ThrowsAsync<StreamConcurrencyException>(
            () => Streams.AppendAsync(stream, NewEvents(2), expectedLength: expected));

        Assert.Equal(expected, error.ExpectedLength);
        Assert.Equal(3, error.ActualLength);
        Assert.Equal(3, await Streams.GetStreamLengthAsync(stream));
    }

    [Fact]
    public async Task Expected_length_on_a_stream_that_does_not_exist_reports_length_zero()
    {
        var stream = NewName();

        var error = await Assert.ThrowsAsync<StreamConcurrencyException>(
            () => Streams.AppendAsync(stream, NewEvents(1), expectedLength: 5));

        Assert.Equal(0, error.ActualLength);
        Assert.False((await Streams.GetStreamMetadataAsync(stream)).Exists);
    }
}
