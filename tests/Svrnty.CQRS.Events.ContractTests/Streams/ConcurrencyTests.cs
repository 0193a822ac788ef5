using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.ContractTests.Streams;

/// <summary>DESIGN.md semantics 2: concurrent appenders get distinct, gapless offsets.</summary>
public abstract class ConcurrencyTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    [Fact]
    public async Task Eight_writers_on_one_stream_get_exactly_the_offsets_0_to_1599()
    {
        const int writers = 8;
        const int perWriter = 200;
        var stream = NewName();
        using var start = new SemaphoreSlim(0);

        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await start.WaitAsync();
            var offsets = new List<long>(perWriter);
            for (var i = 0; i < perWriter; i++)
            {
                offsets.Add(await Streams.AppendAsync(stream, NewEvent($"w{w}", i)));
            }

            return offsets;
        })).ToArray();
        start.Release(writers);
        var results = await Task.WhenAll(tasks);

        var all = results.SelectMany(o => o).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, writers * perWriter).Select(i => (long)i), all);
        foreach (var offsets in results)
        {
            Assert.Equal(offsets.Order(), offsets); // each writer sees its own appends in order
        }

        Assert.Equal(writers * perWriter, await Streams.GetStreamLengthAsync(stream));
        var read = await ReadAllAsync(stream);
        Assert.Equal(Enumerable.Range(0, writers * perWriter).Select(i => (long)i), read.Select(e => e.Offset));
        Assert.Equal(writers * perWriter, read.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_batches_on_one_stream_each_land_contiguously()
    {
        const int batches = 16;
        const int batchSize = 25;
        var stream = NewName();

        var lasts = await Task.WhenAll(Enumerable.Range(0, batches).Select(b =>
            Task.Run(() => Streams.AppendAsync(stream, NewEvents(batchSize, $"b{b}")))));

        var read = await ReadAllAsync(stream);
        Assert.Equal(batches * batchSize, read.Count);
        foreach (var group in read.GroupBy(e => ((TestEvent)e.Event).Name))
        {
            var offsets = group.Select(e => e.Offset).ToArray();
            Assert.Equal(Enumerable.Range(0, batchSize).Select(i => offsets[0] + i), offsets);
            Assert.Contains(offsets[^1], lasts);
            Assert.Equal(Enumerable.Range(0, batchSize), group.Select(e => ((TestEvent)e.Event).Number));
        }
    }

    [Fact]
    public async Task Concurrent_writers_on_different_streams_each_get_gapless_offsets()
    {
        var streams = Enumerable.Range(0, 8).Select(_ => NewName()).ToArray();

        await Task.WhenAll(streams.Select(s => Task.Run(() => AppendManyAsync(s, 50))));

        foreach (var stream in streams)
        {
            var read = await ReadAllAsync(stream);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), read.Select(e => e.Offset));
        }
    }

    [Fact]
    public async Task Concurrent_writers_expecting_the_same_length_let_exactly_one_win()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, NewEvent());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            try
            {
                await Streams.AppendAsync(stream, NewEvents(3), expectedLength: 1);
                return true;
            }
            catch (StreamConcurrencyException)
            {
                return false;
            }
        })));

        Assert.Single(outcomes, won => won);
        Assert.Equal(4, await Streams.GetStreamLengthAsync(stream));
    }

    private async Task<List<StoredEvent>> ReadAllAsync(string stream)
    {
        var all = new List<StoredEvent>();
        while (true)
        {
            var page = await Streams.ReadStreamAsync(stream, all.Count, 500);
            if (page.Count == 0)
            {
                return all;
            }

            all.AddRange(page);
        }
    }
}
