using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Streams;

/// <summary>DESIGN.md semantics 5: length, retained count and the oldest and newest events.</summary>
public abstract class MetadataTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task A_stream_that_never_existed_has_no_length_and_null_fields()
    {
        var stream = NewName();

        var metadata = await Streams.GetStreamMetadataAsync(stream);

        Assert.Equal(stream, metadata.StreamName);
        Assert.False(metadata.Exists);
        Assert.Equal(0, metadata.Length);
        Assert.Equal(0, metadata.RetainedCount);
        Assert.Null(metadata.OldestEventOffset);
        Assert.Null(metadata.NewestEventOffset);
        Assert.Null(metadata.OldestEventTimestamp);
        Assert.Null(metadata.NewestEventTimestamp);
        Assert.Equal(0, await Streams.GetStreamLengthAsync(stream));
    }

    [Fact]
    public async Task Metadata_describes_the_appended_events_with_the_store_clock()
    {
        var stream = NewName();
        var firstAt = Time.GetUtcNow();
        await Streams.AppendAsync(stream, NewEvents(3));
        Time.Advance(TimeSpan.FromMinutes(5));
        var lastAt = Time.GetUtcNow();
        await Streams.AppendAsync(stream, NewEvent());

        var metadata = await Streams.GetStreamMetadataAsync(stream);

        Assert.True(metadata.Exists);
        Assert.Equal(4, metadata.Length);
        Assert.Equal(4, metadata.RetainedCount);
        Assert.Equal(0, metadata.OldestEventOffset);
        Assert.Equal(3, metadata.NewestEventOffset);
        Assert.Equal(firstAt, metadata.OldestEventTimestamp);
        Assert.Equal(lastAt, metadata.NewestEventTimestamp);
        Assert.Equal(4, await Streams.GetStreamLengthAsync(stream));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Acceptance_times_never_go_back_along_a_stream_so_a_start_from_a_time_skips_nothing(bool withExpectedLength)
    {
        // An appender reads the clock before it waits for the stream's lock, so the append that gets the later offset
        // can carry the earlier clock reading; here the clock itself steps back between two appends.
        var clock = new SteppedClock(Time.GetUtcNow().AddHours(1));
        await using var services = Fixture.BuildServices(s => s.AddSingleton<TimeProvider>(clock));
        await EventStoreFixture.StartHostedServicesAsync(services);
        var store = services.GetRequiredService<IEventStreamStore>();
        var stream = NewName();
        var later = clock.Now;
        await store.AppendAsync(stream, NewEvent("first"));
        clock.Now = later.AddMinutes(-10);

        await store.AppendAsync(stream, [NewEvent("second")], withExpectedLength ? 1 : null);

        Assert.Equal([later, later], (await store.ReadStreamAsync(stream, 0, 10)).Select(e => e.Timestamp));
        Assert.Equal(0, await services.GetRequiredService<IEventStreamLocator>().FindOffsetAsync(stream, clock.Now));
    }

    private sealed class SteppedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Idempotent_retries_do_not_change_the_length()
    {
        var stream = NewName();
        var batch = NewEvents(2);
        await Streams.AppendAsync(stream, batch);
        await Streams.AppendAsync(stream, batch);

        var metadata = await Streams.GetStreamMetadataAsync(stream);

        Assert.Equal(2, metadata.Length);
        Assert.Equal(2, metadata.RetainedCount);
    }
}
