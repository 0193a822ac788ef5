using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Tests.Consumers;

public sealed class EventReplayServiceTests
{
    private sealed record Numbered(int N) : CorrelatedEvent;

    /// <summary>A reader over a synthetic stream that records how it is read.</summary>
    private sealed class SyntheticStream(long length) : IEventStreamReader, IEventStreamLocator
    {
        public List<int> PageSizes { get; } = [];

        public int PagesIssued => PageSizes.Count;

        public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamName, long fromOffset, int maxCount, CancellationToken cancellationToken = default)
        {
            PageSizes.Add(maxCount);
            IReadOnlyList<StoredEvent> page = Enumerable.Range(0, (int)Math.Max(0, Math.Min(maxCount, length - fromOffset)))
                .Select(i => new StoredEvent
                {
                    StreamName = streamName,
                    Offset = fromOffset + i,
                    EventId = $"e{fromOffset + i}",
                    EventType = "n",
                    Event = new Numbered((int)(fromOffset + i)),
                    Json = "{}",
                    Timestamp = default,
                }).ToArray();
            return Task.FromResult(page);
        }

        public Task<long> GetStreamLengthAsync(string streamName, CancellationToken cancellationToken = default) => Task.FromResult(length);

        public Task<StreamMetadata> GetStreamMetadataAsync(string streamName, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<long> FindOffsetAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
            Task.FromResult(0L);
    }

    private static IEventReplayService Create(SyntheticStream stream, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddEventStreamingCore();
        services.AddSingleton<IEventStreamReader>(stream);
        services.AddSingleton<IEventStreamLocator>(stream);
        return services.BuildServiceProvider().GetRequiredService<IEventReplayService>();
    }

    [Fact]
    public async Task A_replay_holds_one_page_at_a_time_whatever_the_stream_length()
    {
        var stream = new SyntheticStream(200_000);
        var aheadOfHandler = 0;
        var handled = 0L;

        var result = await Create(stream, TimeProvider.System).ReplayAsync("s", (e, _) =>
        {
            // Event n belongs to page n / 1000 + 1: no page beyond it may have been read yet.
            if (stream.PagesIssued != (int)(e.Offset / 1_000) + 1)
            {
                aheadOfHandler++;
            }

            handled++;
            return ValueTask.CompletedTask;
        }, new ReplayOptions { PageSize = 1_000 });

        Assert.Equal(0, aheadOfHandler);
        Assert.Equal(200_000, handled);
        Assert.Equal(200_000, result.EventsDone);
        Assert.All(stream.PageSizes, size => Assert.True(size <= 1_000));
    }

    [Fact]
    public async Task A_rate_cap_paces_the_replay_on_the_clock()
    {
        var time = new FakeTimeProvider();
        var stream = new SyntheticStream(30);
        var handled = 0;
        var replay = Create(stream, time).ReplayAsync("s", (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return ValueTask.CompletedTask;
        }, new ReplayOptions { MaxEventsPerSecond = 10, PageSize = 100 });

        await Deadline.UntilAsync(() => replay.IsCompleted, "the replay finished as the clock moved on", () =>
        {
            // At any moment no more than cap × elapsed (+ the one due at once) events have been handled.
            Assert.True(Volatile.Read(ref handled) <= 10 * (time.GetUtcNow() - time.Start).TotalSeconds + 1);
            time.Advance(TimeSpan.FromMilliseconds(100));
        });

        var result = await replay;
        Assert.Equal(30, result.EventsDone);
        Assert.InRange((time.GetUtcNow() - time.Start).TotalSeconds, 2.9, 30);
    }

    [Fact]
    public async Task A_Task_returning_handler_replays_like_a_ValueTask_returning_one()
    {
        var replay = Create(new SyntheticStream(5), new FakeTimeProvider());
        var seen = new List<long>();
        Task ApplyAsync(StoredEvent e, CancellationToken ct)
        {
            seen.Add(e.Offset);
            return Task.CompletedTask;
        }

        var result = await replay.ReplayAsync("s", (e, ct) => ApplyAsync(e, ct));

        Assert.Equal([0L, 1, 2, 3, 4], seen);
        Assert.Equal(5, result.EventsDone);
    }
}
