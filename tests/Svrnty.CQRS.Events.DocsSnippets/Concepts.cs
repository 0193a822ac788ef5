#region concepts-usings
using Svrnty.CQRS.Events.Abstractions; // every type on this page
#endregion

namespace Svrnty.CQRS.Events.DocsSnippets;

public sealed record AuditEntry(string OrderId) : CorrelatedEvent;

/// <summary>The code of docs/concepts.md, run on the in-memory backend.</summary>
public sealed class ConceptsTests
{
    // Compiled, not run: acknowledging needs a leased message.
    internal static async Task WriteBatchAsync(IEventStreamStore store, string id, decimal total, long position, string jobId)
    {
        #region concepts-batch
        await store.WriteAsync(new EventBatch()
            .Append($"order-{id}", new OrderPlaced(id, total), expectedLength: 0)
            .Append("audit", new AuditEntry(id))
            .Enqueue("emails", new SendReceipt(id))
            .CommitOffset("$ce-payment", "orders", position + 1)
            .Acknowledge("jobs", jobId, "worker-1"));
        #endregion
    }

    #region concepts-read-log
    // Reads a log (or any stream) from a position to its end, page by page; returns the position to read on from.
    public static async Task<long> ReadOnAsync(IEventStreamReader reader, string log, long from, Func<StoredEvent, Task> handle,
        CancellationToken ct)
    {
        while (true)
        {
            var page = await reader.ReadStreamAsync(log, from, maxCount: 500, ct);
            if (page.Count == 0)
            {
                return from;
            }

            foreach (var e in page)
            {
                await handle(e); // e.StreamName and e.Offset are the event's own; e.Position is its place in the log
            }

            from = page[^1].Position + 1; // not Offset + 1: an offset counts in the event's own stream
        }
    }
    #endregion

    [Fact]
    public async Task Reading_a_category_log_on_from_the_last_position_plus_one_sees_every_event_once()
    {
        var services = new ServiceCollection();
        services.AddInMemoryEventStorage();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IEventStreamStore>();
        var seen = new List<(long Position, string Stream, long Offset)>();
        Task Handle(StoredEvent e)
        {
            seen.Add((e.Position, e.StreamName, e.Offset));
            return Task.CompletedTask;
        }

        await store.AppendAsync("cart-1", new OrderPlaced("1", 1m));
        await store.AppendAsync("cart-2", new OrderPlaced("2", 2m));
        await store.AppendAsync("cart-1", new OrderPlaced("1", 3m));
        await store.AppendAsync("other", new OrderPlaced("x", 4m));
        var next = await ReadOnAsync(store, LogStreams.Category("cart"), 0, Handle, CancellationToken.None);
        await store.AppendAsync("cart-2", new OrderPlaced("2", 5m));
        next = await ReadOnAsync(store, LogStreams.Category("cart"), next, Handle, CancellationToken.None);

        Assert.Equal([(0L, "cart-1", 0L), (1L, "cart-2", 0L), (2L, "cart-1", 1L), (3L, "cart-2", 1L)], seen);
        Assert.Equal(4, next);
    }
}
