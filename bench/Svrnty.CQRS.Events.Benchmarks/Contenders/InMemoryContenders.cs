using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Benchmarks.Contenders;

/// <summary>Our in-memory backend, registered as an application registers it.</summary>
internal sealed class SvrntyInMemoryContender : IStreamContender
{
    private readonly ServiceProvider _services;
    private readonly IEventStreamStore _store;

    public SvrntyInMemoryContender()
    {
        _services = new ServiceCollection().AddInMemoryEventStorage().BuildServiceProvider();
        _store = _services.GetRequiredService<IEventStreamStore>();
    }

    public string Implementation => "svrnty-inmemory";

    public Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken) =>
        _store.AppendAsync(stream, @event, cancellationToken);

    public Task AppendBatchAsync(string stream, IReadOnlyList<OrderPlaced> events, CancellationToken cancellationToken) =>
        _store.AppendAsync(stream, events, expectedLength: null, cancellationToken);

    public async Task<int> ReadPageAsync(string stream, long fromOffset, int count, CancellationToken cancellationToken) =>
        (await _store.ReadStreamAsync(stream, fromOffset, count, cancellationToken)).Count;

    public async Task FillAsync(string stream, int count, CancellationToken cancellationToken)
    {
        for (var done = 0; done < count; done += 1_000)
        {
            await _store.AppendAsync(stream, Payload.Batch(done, Math.Min(1_000, count - done)), expectedLength: null, cancellationToken);
        }
    }

    public async Task AssertGaplessAsync(string stream, long count, CancellationToken cancellationToken)
    {
        var length = await _store.GetStreamLengthAsync(stream, cancellationToken);
        if (length != count)
        {
            throw new InvalidOperationException($"{Implementation}: stream '{stream}' has length {length}, expected {count}.");
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>
/// The in-memory limit: a <see cref="List{T}"/> per stream under a lock, holding the same serialized form our store
/// keeps (the JSON and the columns), so both do the same serialization work; no validation, no idempotency check.
/// </summary>
internal sealed class LockedListContender : IStreamContender
{
    private readonly Dictionary<string, List<Entry>> _streams = new(StringComparer.Ordinal);

    public string Implementation => "locked-list";

    public Task AppendAsync(string stream, OrderPlaced @event, CancellationToken cancellationToken)
    {
        var json = Payload.Serialize(@event);
        var now = TimeProvider.System.GetUtcNow();
        lock (_streams)
        {
            var list = GetOrAdd(stream);
            list.Add(new Entry(list.Count, @event.EventId, nameof(OrderPlaced), @event.CorrelationId, json, @event.OccurredAt, now));
        }

        return Task.CompletedTask;
    }

    public async Task AppendBatchAsync(string stream, IReadOnlyList<OrderPlaced> events, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            await AppendAsync(stream, e, cancellationToken);
        }
    }

    public Task<int> ReadPageAsync(string stream, long fromOffset, int count, CancellationToken cancellationToken)
    {
        Entry[] slice;
        lock (_streams)
        {
            var list = GetOrAdd(stream);
            var from = (int)Math.Min(fromOffset, list.Count);
            slice = list.GetRange(from, Math.Min(count, list.Count - from)).ToArray();
        }

        var events = new OrderPlaced[slice.Length];
        for (var i = 0; i < slice.Length; i++)
        {
            events[i] = Payload.Deserialize(slice[i].Json);
        }

        return Task.FromResult(events.Length);
    }

    public Task FillAsync(string stream, int count, CancellationToken cancellationToken) =>
        AppendBatchAsync(stream, Payload.Batch(0, count), cancellationToken);

    public Task AssertGaplessAsync(string stream, long count, CancellationToken cancellationToken)
    {
        lock (_streams)
        {
            var list = GetOrAdd(stream);
            Schemas.AssertGapless(Implementation, stream, count, list.Count, list.Select(e => e.Offset).Distinct().Count(),
                list.Count == 0 ? 0 : list[0].Offset, list.Count == 0 ? 0 : list[^1].Offset, first: 0);
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private List<Entry> GetOrAdd(string stream)
    {
        if (!_streams.TryGetValue(stream, out var list))
        {
            _streams[stream] = list = [];
        }

        return list;
    }

    private sealed record Entry(long Offset, string EventId, string EventType, string? CorrelationId, string Json, DateTimeOffset OccurredAt,
        DateTimeOffset Timestamp);
}
