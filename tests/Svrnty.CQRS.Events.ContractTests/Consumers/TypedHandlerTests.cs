using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.ContractTests.Consumers;

/// <summary>
/// Typed handlers (<see cref="IEventStreamHandler{TEvent}"/>, <see cref="IQueueMessageHandler{TMessage}"/> and their
/// transactional forms): one class handles several types, each call gets the typed event and its stored envelope, events
/// of other types move the offset on (or are acknowledged) without a call, and failures behave as for untyped handlers.
/// </summary>
public abstract class TypedHandlerTests(EventStoreFixture fixture) : StoreSuite(fixture)
{
    private const string Group = "typed";

    private Task<TestHost> StartAsync(CartCalls calls, Action<IServiceCollection> register) =>
        TestHost.StartAsync(Fixture, s =>
        {
            s.AddSingleton(calls);
            register(s);
        });

    private static void Stream(EventStreamConsumerOptions o)
    {
        o.BatchSize = 10;
        o.PollInterval = TimeSpan.FromHours(1); // fake clock, never moved: live events arrive through notifications
        o.RetryDelay = TimeSpan.Zero;
    }

    private Task CommittedAsync(string stream, long expected) =>
        Deadline.UntilAsync(() => Offsets.GetOffsetAsync(stream, Group), o => o == expected, $"the committed offset is {expected}");

    [Fact]
    public async Task A_stream_handler_of_several_types_gets_each_with_its_stored_event_and_the_offset_moves_past_the_other_types()
    {
        var stream = NewName();
        ICorrelatedEvent[] events = [new ItemAdded("a"), new CartNoted("hello"), new ItemRemoved("a"), new ItemAdded("b"), new CartNoted("bye")];
        await Streams.AppendAsync(stream, events);
        var calls = new CartCalls();
        await using var host = await StartAsync(calls, s => s.AddEventStreamConsumer<CartProjection>(stream, Group, Stream));

        await CommittedAsync(stream, 5); // past the trailing event no handler takes

        Assert.Equal(["added a", "removed a", "added b"], calls.Descriptions);
        Assert.Equal([0L, 2, 3], calls.Stored.Select(e => e.Offset));
        Assert.Equal([0L, 2, 3], calls.Stored.Select(e => e.Position));
        Assert.All(calls.Stored, e => Assert.Equal(stream, e.StreamName));
        Assert.Equal([events[0].EventId, events[2].EventId, events[3].EventId], calls.Stored.Select(e => e.EventId));

        await Streams.AppendAsync(stream, [new CartNoted("only notes"), new CartNoted("after")]);
        await CommittedAsync(stream, 7);
        Assert.Equal(3, calls.Descriptions.Count);
    }

    [Fact]
    public async Task A_stream_handler_of_an_interface_gets_the_types_it_does_not_handle_more_specifically()
    {
        var stream = NewName();
        await Streams.AppendAsync(stream, [new ItemAdded("a"), new ItemRemoved("a"), new CartNoted("n")]);
        var calls = new CartCalls();
        await using var host = await StartAsync(calls, s => s.AddEventStreamConsumer<CartAuditor>(stream, Group, Stream));

        await CommittedAsync(stream, 3);

        Assert.Equal(["added a", "cart event ItemRemoved"], calls.Descriptions);
    }

    [Fact]
    public async Task A_failing_typed_stream_handler_is_retried_then_the_event_is_parked_as_with_an_untyped_one()
    {
        var stream = NewName();
        ICorrelatedEvent[] events = [new ItemAdded("a"), new ItemAdded(CartCalls.Poison), new ItemRemoved("a")];
        await Streams.AppendAsync(stream, events);
        var calls = new CartCalls();
        await using var host = await StartAsync(calls, s => s.AddEventStreamConsumer<CartProjection>(stream, Group, o =>
        {
            Stream(o);
            o.MaxAttempts = 3;
        }));

        await CommittedAsync(stream, 3);

        Assert.Equal(["added a", "removed a"], calls.Descriptions);
        Assert.Equal(3, calls.Attempts(events[1].EventId));
        var parked = Assert.Single(await Fixture.Services.GetRequiredService<IParkedEventStore>().ReadAsync(stream, Group, 10));
        Assert.Equal(1, parked.Offset);
        Assert.Equal(3, parked.Attempts);
        Assert.Contains("cannot add poison", parked.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_handler_of_several_types_gets_each_with_its_delivery_and_the_other_types_are_acknowledged_without_a_call()
    {
        var queue = NewName("queue");
        ICorrelatedEvent[] messages = [new ItemAdded("a"), new CartNoted("n"), new ItemRemoved("b")];
        foreach (var m in messages)
        {
            await Streams.EnqueueAsync(queue, m);
        }

        var calls = new CartCalls();
        await using var host = await StartAsync(calls, s => s.AddQueueConsumer<CartQueueHandler>(queue, o => o.PollInterval = TimeSpan.FromHours(1)));

        await Deadline.UntilAsync(() => Streams.GetPendingCountAsync(queue), n => n == 0, "every message is acknowledged");

        Assert.Equal(["added a", "removed b"], calls.Descriptions.Order());
        Assert.Equal(new[] { messages[0].EventId, messages[2].EventId }.Order(), calls.Deliveries.Select(d => d.EventId).Order());
        Assert.All(calls.Deliveries, d => Assert.Equal((queue, 1), (d.StreamName, d.DeliveryCount)));
        Assert.Equal(0, calls.Attempts(messages[1].EventId));
        Assert.Equal(0, await DeadLetters.CountAsync(queue));
    }

    [Fact]
    public async Task A_failing_typed_queue_handler_is_redelivered_then_dead_lettered_as_with_an_untyped_one()
    {
        var queue = NewName("queue");
        var poison = new ItemAdded(CartCalls.Poison);
        await Streams.EnqueueAsync(queue, poison);
        var calls = new CartCalls();
        await using var host = await StartAsync(calls, s => s.AddQueueConsumer<CartQueueHandler>(queue, o =>
        {
            o.PollInterval = TimeSpan.FromHours(1);
            o.MaxDeliveryAttempts = 3;
        }));

        await Deadline.UntilAsync(() => DeadLetters.CountAsync(queue), n => n == 1, "the message is dead-lettered");

        Assert.Equal(3, calls.Attempts(poison.EventId));
        Assert.Equal(3, Assert.Single(await DeadLetters.ReadAsync(queue, 10)).DeliveryCount);
        Assert.Empty(calls.Descriptions);
    }

    [Fact]
    public async Task A_transactional_typed_stream_handlers_effects_commit_with_the_offset_and_other_types_move_it_on()
    {
        var (stream, effects) = (NewName(), NewName("effects"));
        await Streams.AppendAsync(stream, [new CartNoted("n"), new ItemAdded("a"), new CartNoted("m"), new ItemAdded("b"), new CartNoted("o")]);
        var calls = new CartCalls { EffectsStream = effects };
        await using var host = await StartAsync(calls, s => s.AddTransactionalEventStreamConsumer<CartEffects>(stream, Group, Stream));

        await CommittedAsync(stream, 5);

        Assert.Equal(["added a", "added b"], calls.Descriptions);
        Assert.Equal(["a@1", "b@3"], (await Streams.ReadStreamAsync(effects, 0, 10)).Select(e => ((TestEvent)e.Event).Name));
    }

    [Fact]
    public async Task A_transactional_typed_queue_handlers_effects_commit_with_the_acknowledgement()
    {
        var (queue, effects) = (NewName("queue"), NewName("effects"));
        await Streams.EnqueueAsync(queue, new CartNoted("n"));
        await Streams.EnqueueAsync(queue, new ItemAdded("a"));
        var calls = new CartCalls { EffectsStream = effects };
        await using var host = await StartAsync(calls, s => s.AddTransactionalQueueConsumer<CartEffects>(queue, o => o.PollInterval = TimeSpan.FromHours(1)));

        await Deadline.UntilAsync(() => Streams.GetPendingCountAsync(queue), n => n == 0, "every message is acknowledged");

        Assert.Equal(["added a"], calls.Descriptions);
        Assert.Equal(["a@delivery 1"], (await Streams.ReadStreamAsync(effects, 0, 10)).Select(e => ((TestEvent)e.Event).Name));
    }

    [Fact]
    public void Registering_a_class_that_handles_no_type_fails_at_once_naming_what_it_must_implement()
    {
        var services = new ServiceCollection();
        Fixture.AddBackendTo(services);
        var before = services.Count;

        var stream = Assert.Throws<ArgumentException>(() => services.AddEventStreamConsumer<HandlesNothing>("orders", Group));
        var queue = Assert.Throws<ArgumentException>(() => services.AddQueueConsumer<HandlesNothing>("emails"));
        var transactionalStream = Assert.Throws<ArgumentException>(() => services.AddTransactionalEventStreamConsumer<HandlesNothing>("orders", Group));
        var transactionalQueue = Assert.Throws<ArgumentException>(() => services.AddTransactionalQueueConsumer<HandlesNothing>("emails"));

        Assert.All([stream, queue, transactionalStream, transactionalQueue], e =>
        {
            Assert.Equal("THandler", e.ParamName);
            Assert.Contains("HandlesNothing handles no event type", e.Message, StringComparison.Ordinal);
        });
        Assert.Contains("IEventStreamHandler<T>", stream.Message, StringComparison.Ordinal);
        Assert.Contains("IQueueMessageHandler<T>", queue.Message, StringComparison.Ordinal);
        Assert.Contains("ITransactionalEventStreamHandler<T>", transactionalStream.Message, StringComparison.Ordinal);
        Assert.Contains("ITransactionalQueueMessageHandler<T>", transactionalQueue.Message, StringComparison.Ordinal);
        Assert.Equal(before, services.Count); // nothing registered
    }

    [Fact]
    public void Registering_a_handler_with_the_wrong_method_or_with_both_forms_fails_at_once()
    {
        var services = new ServiceCollection();

        var wrongMethod = Assert.Throws<ArgumentException>(() => services.AddEventStreamConsumer<CartEffects>("orders", Group));
        var both = Assert.Throws<ArgumentException>(() => services.AddEventStreamConsumer<UntypedAndTyped>("orders", Group));

        Assert.Contains("register it with AddTransactionalEventStreamConsumer", wrongMethod.Message, StringComparison.Ordinal);
        Assert.Contains("implements both IEventStreamHandler and IEventStreamHandler<T>", both.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }
}

public interface ICartEvent : ICorrelatedEvent;

public sealed record ItemAdded(string Item) : CorrelatedEvent, ICartEvent;

public sealed record ItemRemoved(string Item) : CorrelatedEvent, ICartEvent;

public sealed record CartNoted(string Note) : CorrelatedEvent;

/// <summary>What the typed handlers were called with.</summary>
public sealed class CartCalls
{
    public const string Poison = "poison";
    private readonly ConcurrentQueue<string> _descriptions = new();
    private readonly ConcurrentQueue<StoredEvent> _stored = new();
    private readonly ConcurrentQueue<DequeuedEvent> _deliveries = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public string? EffectsStream { get; init; }

    public IReadOnlyList<string> Descriptions => _descriptions.ToArray();

    public IReadOnlyList<StoredEvent> Stored => _stored.ToArray();

    public IReadOnlyList<DequeuedEvent> Deliveries => _deliveries.ToArray();

    public int Attempts(string eventId) => _attempts.GetValueOrDefault(eventId);

    public Task RecordAsync(string description, ICorrelatedEvent @event, StoredEvent? stored, DequeuedEvent? delivery)
    {
        _attempts.AddOrUpdate(@event.EventId, 1, (_, n) => n + 1);
        if (@event is ItemAdded { Item: Poison })
        {
            throw new InvalidOperationException("cannot add poison");
        }

        Assert.Same(@event, stored?.Event ?? delivery?.Event); // the typed event is the envelope's event
        _descriptions.Enqueue(description);
        if (stored is not null)
        {
            _stored.Enqueue(stored);
        }

        if (delivery is not null)
        {
            _deliveries.Enqueue(delivery);
        }

        return Task.CompletedTask;
    }
}

public sealed class CartProjection(CartCalls calls) : IEventStreamHandler<ItemAdded>, IEventStreamHandler<ItemRemoved>
{
    public Task HandleAsync(ItemAdded @event, StoredEvent storedEvent, CancellationToken cancellationToken) =>
        calls.RecordAsync($"added {@event.Item}", @event, storedEvent, null);

    public Task HandleAsync(ItemRemoved @event, StoredEvent storedEvent, CancellationToken cancellationToken) =>
        calls.RecordAsync($"removed {@event.Item}", @event, storedEvent, null);
}

/// <summary>Handles every cart event, and <see cref="ItemAdded"/> more specifically.</summary>
public sealed class CartAuditor(CartCalls calls) : IEventStreamHandler<ICartEvent>, IEventStreamHandler<ItemAdded>
{
    public Task HandleAsync(ICartEvent @event, StoredEvent storedEvent, CancellationToken cancellationToken) =>
        calls.RecordAsync($"cart event {@event.GetType().Name}", @event, storedEvent, null);

    public Task HandleAsync(ItemAdded @event, StoredEvent storedEvent, CancellationToken cancellationToken) =>
        calls.RecordAsync($"added {@event.Item}", @event, storedEvent, null);
}

public sealed class CartQueueHandler(CartCalls calls) : IQueueMessageHandler<ItemAdded>, IQueueMessageHandler<ItemRemoved>
{
    public Task HandleAsync(ItemAdded message, DequeuedEvent delivery, CancellationToken cancellationToken) =>
        calls.RecordAsync($"added {message.Item}", message, null, delivery);

    public Task HandleAsync(ItemRemoved message, DequeuedEvent delivery, CancellationToken cancellationToken) =>
        calls.RecordAsync($"removed {message.Item}", message, null, delivery);
}

/// <summary>A transactional typed handler for streams and queues: each call appends an effect in the consumer's batch.</summary>
public sealed class CartEffects(CartCalls calls) : ITransactionalEventStreamHandler<ItemAdded>, ITransactionalQueueMessageHandler<ItemAdded>
{
    public async Task HandleAsync(ItemAdded @event, StoredEvent storedEvent, ConsumerTransaction transaction, CancellationToken cancellationToken)
    {
        await calls.RecordAsync($"added {@event.Item}", @event, storedEvent, null);
        transaction.Batch.Append(calls.EffectsStream!, new TestEvent($"{@event.Item}@{storedEvent.Offset}", 0));
    }

    public async Task HandleAsync(ItemAdded message, DequeuedEvent delivery, ConsumerTransaction transaction, CancellationToken cancellationToken)
    {
        await calls.RecordAsync($"added {message.Item}", message, null, delivery);
        transaction.Batch.Append(calls.EffectsStream!, new TestEvent($"{message.Item}@delivery {delivery.DeliveryCount}", 0));
    }
}

public sealed class HandlesNothing;

public sealed class UntypedAndTyped : IEventStreamHandler, IEventStreamHandler<ItemAdded>
{
    public Task HandleAsync(StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task HandleAsync(ItemAdded @event, StoredEvent storedEvent, CancellationToken cancellationToken) => Task.CompletedTask;
}
