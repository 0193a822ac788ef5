using Microsoft.AspNetCore.Http.HttpResults;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Retention;
using Svrnty.CQRS.Events.Sample.Orders;

namespace Svrnty.CQRS.Events.Sample.Store;

internal sealed record AppendNote(string Text, long? ExpectedLength);

/// <summary>A work item; <paramref name="EventId"/> is the idempotency key (a new UUIDv7 when absent).</summary>
internal sealed record EnqueueWork(string Text, string? EventId = null);

/// <summary>A stored event: its own <paramref name="Stream"/> and <paramref name="Offset"/>, and its
/// <paramref name="Position"/> in the stream read (the offset for a stream's own read, its place in a log stream).</summary>
internal sealed record EventView(string Stream, long Offset, long Position, string EventId, string EventType, string? CorrelationId,
    DateTimeOffset Timestamp, object Data)
{
    public static EventView From(StoredEvent e) =>
        new(e.StreamName, e.Offset, e.Position, e.EventId, e.EventType, e.CorrelationId, e.Timestamp, e.Event);
}

internal sealed record MessageView(string Queue, string EventId, string ConsumerId, int DeliveryCount, DateTimeOffset VisibleUntil, object Data)
{
    public static MessageView From(DequeuedEvent m) => new(m.StreamName, m.EventId, m.ConsumerId, m.DeliveryCount, m.VisibleUntil, m.Event);
}

internal sealed record DeadLetterView(string Queue, string EventId, int DeliveryCount, string Reason, DateTimeOffset DeadLetteredAt, object Data)
{
    public static DeadLetterView From(DeadLetter d) => new(d.StreamName, d.EventId, d.DeliveryCount, d.Reason, d.DeadLetteredAt, d.Event);
}

internal sealed record QueueView(string Queue, long Pending, long DeadLetters, int MaxDeliveryAttempts);

internal sealed record Enqueued(string Queue, string EventId);

internal sealed record RetentionRun(long EventsDeleted, long DeadLettersDeleted, IReadOnlyList<StreamRetentionResult> Streams);

/// <summary>The library's contract over HTTP: streams, queues, dead letters, consumer offsets and lag, retention.
/// A sample's window on the store, not an API to expose as is: it reads and writes every stream and queue.
/// <c>{stream}</c> may name a log stream the store keeps, <c>$all</c> or <c>$ce-{category}</c> (<c>$</c> as is or as
/// <c>%24</c>): read, described and followed like a stream, by position; appending to one is a 400.</summary>
internal static class StoreEndpoints
{
    public static void MapStoreEndpoints(this IEndpointRouteBuilder app)
    {
        var streams = app.MapGroup("/streams/{stream}").WithTags("Streams");
        streams.MapGet("/", (string stream, IEventStreamReader reader, CancellationToken ct) => reader.GetStreamMetadataAsync(stream, ct))
            .WithSummary("Stream metadata: length, retained count, oldest and newest (positions for a log stream: $all, $ce-{category}).");
        streams.MapGet("/events", ReadAsync).WithSummary("Events from an offset (a position for a log stream), ascending.");
        streams.MapPost("/events", AppendAsync).WithSummary("Append a note, optionally with an expected length.");
        streams.MapGet("/consumers", (string stream, IConsumerLagMonitor lag, CancellationToken ct) => lag.GetLagAsync(stream, ct))
            .WithSummary("Each consumer group's next offset (position for a log stream) and lag.");

        var queues = app.MapGroup("/queues/{queue}").WithTags("Queues");
        queues.MapGet("/", GetQueueAsync).WithSummary("Pending messages, dead letters, max delivery attempts.");
        queues.MapPost("/messages", EnqueueAsync).WithSummary("Enqueue a work item.");
        queues.MapPost("/dequeue", DequeueAsync).WithSummary("Lease the next message for visibilitySeconds (204 when empty).");
        queues.MapPost("/messages/{eventId}/ack", AckAsync).WithSummary("Acknowledge a message this consumer holds.");
        queues.MapPost("/messages/{eventId}/nack", NackAsync).WithSummary("Give a message back, or dead-letter it.");
        queues.MapGet("/dead-letters", ReadDeadLettersAsync).WithSummary("Dead letters, oldest first.");
        queues.MapPost("/dead-letters/{eventId}/requeue", RequeueAsync).WithSummary("Put a dead letter back as a fresh message.");

        app.MapPost("/retention/run", RunRetentionAsync).WithTags("Retention").WithSummary("Enforce retention now (it also runs on a timer).");
    }

    private static async Task<Ok<IEnumerable<EventView>>> ReadAsync(string stream, IEventStreamReader reader, CancellationToken ct,
        long from = 0, int max = 100) =>
        TypedResults.Ok((await reader.ReadStreamAsync(stream, from, max, ct)).Select(EventView.From));

    private static async Task<Results<Created<Appended>, Conflict<ConcurrencyConflict>>> AppendAsync(string stream, AppendNote note,
        IEventStreamWriter writer, CancellationToken ct)
    {
        try
        {
            var offset = await writer.AppendAsync(stream, [new Note(note.Text)], note.ExpectedLength, ct);
            return TypedResults.Created($"/streams/{stream}/events?from={offset}", new Appended(stream, offset));
        }
        catch (StreamConcurrencyException e)
        {
            return TypedResults.Conflict(ConcurrencyConflict.From(e));
        }
    }

    private static async Task<Ok<QueueView>> GetQueueAsync(string queue, IEventQueue queues, IDeadLetterStore deadLetters,
        IStreamConfigurationStore configuration, CancellationToken ct) =>
        TypedResults.Ok(new QueueView(queue,
            await queues.GetPendingCountAsync(queue, ct),
            await deadLetters.CountAsync(queue, ct),
            (await configuration.GetAsync(queue, ct))?.MaxDeliveryAttempts ?? StreamConfiguration.DefaultMaxDeliveryAttempts));

    private static async Task<Accepted<Enqueued>> EnqueueAsync(string queue, EnqueueWork work, IEventQueue queues, CancellationToken ct)
    {
        var item = work.EventId is { } eventId ? new WorkItem(work.Text) { EventId = eventId } : new WorkItem(work.Text);
        await queues.EnqueueAsync(queue, item, ct);
        return TypedResults.Accepted($"/queues/{queue}", new Enqueued(queue, item.EventId));
    }

    private static async Task<Results<Ok<MessageView>, NoContent>> DequeueAsync(string queue, string consumer, IEventQueue queues,
        CancellationToken ct, int visibilitySeconds = 30) =>
        await queues.DequeueAsync(queue, consumer, TimeSpan.FromSeconds(visibilitySeconds), ct) is { } message
            ? TypedResults.Ok(MessageView.From(message))
            : TypedResults.NoContent();

    private static async Task<Results<NoContent, NotFound>> AckAsync(string queue, string eventId, string consumer, IEventQueue queues,
        CancellationToken ct) =>
        await queues.AcknowledgeAsync(queue, eventId, consumer, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> NackAsync(string queue, string eventId, string consumer, IEventQueue queues,
        CancellationToken ct, bool deadLetter = false) =>
        await queues.NackAsync(queue, eventId, consumer, requeue: !deadLetter, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Ok<IEnumerable<DeadLetterView>>> ReadDeadLettersAsync(string queue, IDeadLetterStore deadLetters,
        CancellationToken ct, int max = 100) =>
        TypedResults.Ok((await deadLetters.ReadAsync(queue, max, ct)).Select(DeadLetterView.From));

    private static async Task<Results<Accepted, NotFound>> RequeueAsync(string queue, string eventId, IDeadLetterStore deadLetters,
        CancellationToken ct) =>
        await deadLetters.RequeueAsync(queue, eventId, ct) ? TypedResults.Accepted($"/queues/{queue}") : TypedResults.NotFound();

    private static async Task<Ok<RetentionRun>> RunRetentionAsync(IRetentionEnforcer enforcer, CancellationToken ct)
    {
        var result = await enforcer.EnforceAsync(ct);
        return TypedResults.Ok(new RetentionRun(result.EventsDeleted, result.DeadLettersDeleted, result.Streams));
    }
}
