using System.Diagnostics.CodeAnalysis;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// Several writes that commit together or not at all (<see cref="IEventBatchWriter.WriteAsync"/>): appends to any
/// number of streams, enqueues, consumer-offset commits and acknowledgements, applied in the order they are added. A
/// builder: it does no I/O, and each method validates its arguments as they are added (an
/// <see cref="ArgumentException"/> naming the parameter), so a batch that reaches a store is well-formed.
/// </summary>
/// <example><code>
/// await store.WriteAsync(new EventBatch()
///     .Append($"order-{id}", new OrderPlaced(id, total), expectedLength: 0)
///     .Enqueue("emails", new SendReceipt(id)));
/// </code></example>
public sealed class EventBatch
{
    /// <summary>The most events a batch may append and enqueue together.</summary>
    public const int MaxEvents = 10_000;

    private readonly List<EventBatchOperation> _operations = [];

    /// <summary>How many operations the batch holds.</summary>
    public int Count => _operations.Count;

    /// <summary>How many events the batch appends and enqueues.</summary>
    public int EventCount { get; private set; }

    internal IReadOnlyList<EventBatchOperation> Operations => _operations;

    /// <summary>Appends one event to <paramref name="streamName"/> (see
    /// <see cref="IEventStreamWriter.AppendAsync(string, ICorrelatedEvent, CancellationToken)"/>).</summary>
    /// <param name="streamName">The stream; not a log stream.</param>
    /// <param name="event">The event.</param>
    /// <param name="expectedLength">If set, the stream's length when this append applies (earlier appends of the batch
    /// to the same stream count).</param>
    /// <returns>This batch.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The signatures are fixed by DESIGN.md (EventBatch), mirroring IEventStreamWriter.AppendAsync.")]
    public EventBatch Append(string streamName, ICorrelatedEvent @event, long? expectedLength = null)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Event(@event, nameof(@event));
        return Add(new AppendOperation(streamName, [@event], ExpectedLength(expectedLength)), 1);
    }

    /// <summary>Appends events to <paramref name="streamName"/>, contiguously (see
    /// <see cref="IEventStreamWriter.AppendAsync(string, IReadOnlyCollection{ICorrelatedEvent}, long?, CancellationToken)"/>).</summary>
    /// <param name="streamName">The stream; not a log stream.</param>
    /// <param name="events">At least one event, with distinct ids.</param>
    /// <param name="expectedLength">If set, the stream's length when this append applies (earlier appends of the batch
    /// to the same stream count).</param>
    /// <returns>This batch.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The signatures are fixed by DESIGN.md (EventBatch), mirroring IEventStreamWriter.AppendAsync.")]
    public EventBatch Append(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength = null)
    {
        Argument.WritableName(streamName, nameof(streamName));
        Argument.Events(events, nameof(events));
        return Add(new AppendOperation(streamName, [.. events], ExpectedLength(expectedLength)), events.Count);
    }

    /// <summary>Enqueues a message (see <see cref="IEventQueue.EnqueueAsync"/>): a no-op while that event id is pending.</summary>
    /// <param name="queueName">The queue.</param>
    /// <param name="event">The message.</param>
    /// <returns>This batch.</returns>
    public EventBatch Enqueue(string queueName, ICorrelatedEvent @event)
    {
        Argument.WritableName(queueName, nameof(queueName));
        Argument.Event(@event, nameof(@event));
        return Add(new EnqueueOperation(queueName, @event), 1);
    }

    /// <summary>Commits a consumer group's offset (see <see cref="IConsumerOffsetStore.CommitOffsetAsync"/>): never
    /// moves the group backwards.</summary>
    /// <param name="streamName">The stream or log stream consumed.</param>
    /// <param name="consumerGroup">The group.</param>
    /// <param name="nextOffset">The offset (or log position) of the next event to process.</param>
    /// <returns>This batch.</returns>
    public EventBatch CommitOffset(string streamName, string consumerGroup, long nextOffset) =>
        Add(NewCommit(streamName, consumerGroup, nextOffset), 0);

    /// <summary>The hosted consumer's commit: as <see cref="CommitOffset(string, string, long)"/>, fenced by the group
    /// holder's <paramref name="epoch"/> (the whole batch fails when another holder has taken the group since).</summary>
    internal EventBatch CommitOffset(string streamName, string consumerGroup, long nextOffset, long epoch) =>
        Add(NewCommit(streamName, consumerGroup, nextOffset) with { Epoch = epoch }, 0);

    /// <summary>A checked offset commit, unfenced.</summary>
    private static CommitOffsetOperation NewCommit(string streamName, string consumerGroup, long nextOffset)
    {
        Argument.ReadableName(streamName, nameof(streamName));
        Argument.Name(consumerGroup, nameof(consumerGroup));
        Argument.NotNegative(nextOffset, nameof(nextOffset));
        return new CommitOffsetOperation(streamName, consumerGroup, nextOffset);
    }

    /// <summary>Acknowledges a message the consumer holds (see <see cref="IEventQueue.AcknowledgeAsync"/>). When another
    /// consumer has taken it since, or it is gone, the whole batch fails with <see cref="QueueLeaseLostException"/>.</summary>
    /// <param name="queueName">The queue.</param>
    /// <param name="eventId">The message's event id.</param>
    /// <param name="consumerId">The consumer that leased it.</param>
    /// <returns>This batch.</returns>
    public EventBatch Acknowledge(string queueName, string eventId, string consumerId)
    {
        Argument.WritableName(queueName, nameof(queueName));
        Argument.Name(eventId, nameof(eventId));
        Argument.Name(consumerId, nameof(consumerId));
        return Add(new AcknowledgeOperation(queueName, eventId, consumerId), 0);
    }

    private static long? ExpectedLength(long? expectedLength) =>
        expectedLength is { } expected ? Argument.NotNegative(expected, nameof(expectedLength)) : null;

    private EventBatch Add(EventBatchOperation operation, int events)
    {
        if (EventCount + events > MaxEvents)
        {
            throw new ArgumentException($"A batch may append and enqueue at most {MaxEvents} events together.", events == 1 ? "event" : "events");
        }

        _operations.Add(operation);
        EventCount += events;
        return this;
    }
}

/// <summary>One operation of an <see cref="EventBatch"/>.</summary>
internal abstract record EventBatchOperation;

/// <summary>Append <see cref="Events"/> to <see cref="StreamName"/>.</summary>
internal sealed record AppendOperation(string StreamName, IReadOnlyList<ICorrelatedEvent> Events, long? ExpectedLength) : EventBatchOperation;

/// <summary>Enqueue <see cref="Event"/> to <see cref="QueueName"/>.</summary>
internal sealed record EnqueueOperation(string QueueName, ICorrelatedEvent Event) : EventBatchOperation;

/// <summary>Commit <see cref="NextOffset"/> for the group; with <see cref="Epoch"/>, only while that group holder's epoch
/// is current.</summary>
internal sealed record CommitOffsetOperation(string StreamName, string ConsumerGroup, long NextOffset) : EventBatchOperation
{
    public long? Epoch { get; init; }
}

/// <summary>Acknowledge a held message.</summary>
internal sealed record AcknowledgeOperation(string QueueName, string EventId, string ConsumerId) : EventBatchOperation;
