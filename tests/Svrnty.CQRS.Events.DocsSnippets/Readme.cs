#region readme-usings
using Svrnty.CQRS.Events.Abstractions; // events, the store, handlers
#endregion

namespace Svrnty.CQRS.Events.DocsSnippets;

#region readme-checkout
public sealed class Checkout(IEventStreamStore store)
{
    public async Task PlaceAsync(string orderId, decimal total, CancellationToken ct)
    {
        // One commit: the order's first event and its receipt email, or neither (a crash cannot lose the email).
        // expectedLength: 0 = the stream must not exist yet; a concurrent writer gets StreamConcurrencyException.
        await store.WriteAsync(new EventBatch()
            .Append($"order-{orderId}", new OrderPlaced(orderId, total), expectedLength: 0)
            .Enqueue("emails", new SendReceipt(orderId)), ct);
    }

    public Task<IReadOnlyList<StoredEvent>> HistoryAsync(string orderId, CancellationToken ct) =>
        store.ReadStreamAsync($"order-{orderId}", fromOffset: 0, maxCount: 1000, ct);

    // A worker by hand: lease a message for 30 seconds, handle it, acknowledge it. Or let a hosted consumer do the
    // leasing, acknowledging and retrying: builder.Services.AddQueueConsumer<ReceiptSender>("emails", o => o.Concurrency = 4);
    public async Task SendNextReceiptAsync(Func<ICorrelatedEvent, CancellationToken, Task> send, CancellationToken ct)
    {
        var message = await store.DequeueAsync("emails", consumerId: "worker-1", TimeSpan.FromSeconds(30), ct);
        if (message is not null)
        {
            await send(message.Event, ct);
            await store.AcknowledgeAsync("emails", message.EventId, "worker-1", ct);
        }
    }
}
#endregion

/// <summary>README's registrations, compiled.</summary>
public static class ReadmeRegistrations
{
    public static void InMemory(WebApplicationBuilder builder)
    {
        #region readme-in-memory
        builder.Services.AddInMemoryEventStorage();
        #endregion
    }

    public static void Postgres(WebApplicationBuilder builder)
    {
        #region readme-postgres
        builder.Services.AddPostgresEventStreaming(builder.Configuration.GetConnectionString("EventStreaming")!);
        #endregion
    }
}
