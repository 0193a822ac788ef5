using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>Replay of a stream or a range into a handler, page by page, with progress.</summary>
public abstract class ReplayTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private IEventReplayService Replay => Fixture.Services.GetRequiredService<IEventReplayService>();

    private async Task<string> StreamOfAsync(int count)
    {
        var stream = NewName();
        for (var done = 0; done < count; done += 1_000)
        {
            await Streams.AppendAsync(stream, NewEvents(Math.Min(1_000, count - done)));
        }

        return stream;
    }

    [Fact]
    public async Task A_100k_event_stream_replays_in_order_page_by_page_with_progress()
    {
        const int count = 100_000;
        var stream = await StreamOfAsync(count);
        var reports = new List<ReplayProgress>();
        var expected = 0L;
        var outOfOrder = 0;

        var result = await Replay.ReplayAsync(stream, (e, _) =>
        {
            if (e.Offset != expected++)
            {
                outOfOrder++;
            }

            return ValueTask.CompletedTask;
        }, new ReplayOptions { PageSize = 5_000 }, new SynchronousProgress<ReplayProgress>(reports.Add));

        Assert.Equal(0, outOfOrder);
        Assert.Equal(count, result.EventsDone);
        Assert.Equal(count, result.TotalEvents);
        Assert.Equal(count - 1, result.LastOffset);
        Assert.Equal(Enumerable.Range(1, count / 5_000).Select(i => i * 5_000L), reports.Select(r => r.EventsDone));
        Assert.All(reports, r => Assert.Equal(count, r.TotalEvents));
    }

    [Fact]
    public async Task A_range_replays_only_its_offsets()
    {
        var stream = await StreamOfAsync(300);
        var seen = new List<long>();

        var result = await Replay.ReplayAsync(stream, (e, _) =>
        {
            seen.Add(e.Offset);
            return ValueTask.CompletedTask;
        }, new ReplayOptions { FromOffset = 100, ToOffset = 199, PageSize = 30 });

        Assert.Equal(Enumerable.Range(100, 100).Select(i => (long)i), seen);
        Assert.Equal(100, result.TotalEvents);
    }

    [Fact]
    public async Task A_replay_can_start_at_a_timestamp()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvents(10));
        Time.Advance(TimeSpan.FromHours(1));
        var from = Time.GetUtcNow();
        await Streams.AppendAsync(stream, NewEvents(5, "recent"));
        var seen = new List<long>();

        await Replay.ReplayAsync(stream, (e, _) =>
        {
            seen.Add(e.Offset);
            return ValueTask.CompletedTask;
        }, new ReplayOptions { FromTimestamp = from });

        Assert.Equal(Enumerable.Range(10, 5).Select(i => (long)i), seen);
    }

    /// <summary>Reports on the caller's thread, unlike <see cref="Progress{T}"/>.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
