using System.Collections.Concurrent;
using System.Reflection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>One call of a handler for one event or message (<paramref name="transaction"/> only for a transactional one).</summary>
internal delegate Task HandlerCall<in TEnvelope>(object handler, TEnvelope envelope, ConsumerTransaction? transaction,
    CancellationToken cancellationToken);

/// <summary>
/// Which call a hosted consumer makes for an event of a given type: the untyped handler's for every event, or the typed
/// handler's for the most specific type it handles, or none (the event is passed over). Built once per registration;
/// the call for each runtime event type is resolved once and cached, so handling an event is a dictionary lookup and a
/// delegate call, no reflection.
/// </summary>
internal sealed class HandlerDispatch<TEnvelope>
{
    private readonly HandlerCall<TEnvelope>? _every;
    private readonly Dictionary<Type, HandlerCall<TEnvelope>> _handled;
    private readonly ConcurrentDictionary<Type, HandlerCall<TEnvelope>?> _byEventType;
    private readonly string _handlerName;

    private HandlerDispatch(string handlerName, HandlerCall<TEnvelope>? every, Dictionary<Type, HandlerCall<TEnvelope>> handled)
    {
        _handlerName = handlerName;
        _every = every;
        _handled = handled;
        _byEventType = new ConcurrentDictionary<Type, HandlerCall<TEnvelope>?>(
            handled.Select(h => KeyValuePair.Create(h.Key, (HandlerCall<TEnvelope>?)h.Value)));
    }

    /// <summary>The event types a typed handler handles (empty for an untyped one).</summary>
    public IReadOnlyCollection<Type> HandledTypes => _handled.Keys;

    public static HandlerDispatch<TEnvelope> Untyped(string handlerName, HandlerCall<TEnvelope> every) => new(handlerName, every, []);

    public static HandlerDispatch<TEnvelope> Typed(string handlerName, Dictionary<Type, HandlerCall<TEnvelope>> handled) => new(handlerName, null, handled);

    /// <summary>The call for an event of runtime type <paramref name="eventType"/>, or null when the handler does not handle it.</summary>
    public HandlerCall<TEnvelope>? Find(Type eventType) =>
        _every ?? (_byEventType.TryGetValue(eventType, out var call) ? call : _byEventType.GetOrAdd(eventType, static (t, self) => self.Resolve(t), this));

    /// <summary>The handled type <paramref name="eventType"/> is assignable to, the most specific one; a failing call when two
    /// unrelated handled types (two interfaces, say) both match.</summary>
    private HandlerCall<TEnvelope>? Resolve(Type eventType)
    {
        var matches = _handled.Keys.Where(h => h.IsAssignableFrom(eventType)).ToList();
        var best = matches.Where(m => !matches.Any(other => other != m && m.IsAssignableFrom(other))).ToList();
        if (best.Count <= 1)
        {
            return best.Count == 0 ? null : _handled[best[0]];
        }

        var message = $"{_handlerName} handles {string.Join(" and ", best.Select(t => t.Name).Order(StringComparer.Ordinal))}, " +
                      $"and a {eventType.Name} is each of them: handle {eventType.Name} itself to choose the call.";
        return (_, _, _, _) => throw new InvalidOperationException(message);
    }
}

/// <summary>Builds the dispatch of a handler class from the interfaces it implements, once, at registration.</summary>
internal static class HandlerDispatch
{
    private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Static;

    /// <summary>For a stream consumer: <see cref="IEventStreamHandler"/> or <see cref="IEventStreamHandler{TEvent}"/> (their
    /// transactional forms when <paramref name="transactional"/>).</summary>
    /// <exception cref="ArgumentException">The class implements neither, or both.</exception>
    public static HandlerDispatch<StoredEvent> ForStream(Type handlerType, bool transactional) => transactional
        ? Build<StoredEvent>(handlerType, typeof(ITransactionalEventStreamHandler), typeof(ITransactionalEventStreamHandler<>),
            static (h, e, tx, ct) => ((ITransactionalEventStreamHandler)h).HandleAsync(e, tx!, ct), nameof(CallTransactionalStream),
            "AddTransactionalEventStreamConsumer", "AddEventStreamConsumer", typeof(IEventStreamHandler), typeof(IEventStreamHandler<>))
        : Build<StoredEvent>(handlerType, typeof(IEventStreamHandler), typeof(IEventStreamHandler<>),
            static (h, e, _, ct) => ((IEventStreamHandler)h).HandleAsync(e, ct), nameof(CallStream),
            "AddEventStreamConsumer", "AddTransactionalEventStreamConsumer", typeof(ITransactionalEventStreamHandler), typeof(ITransactionalEventStreamHandler<>));

    /// <summary>For a queue consumer: <see cref="IQueueMessageHandler"/> or <see cref="IQueueMessageHandler{TMessage}"/> (their
    /// transactional forms when <paramref name="transactional"/>).</summary>
    /// <exception cref="ArgumentException">The class implements neither, or both.</exception>
    public static HandlerDispatch<DequeuedEvent> ForQueue(Type handlerType, bool transactional) => transactional
        ? Build<DequeuedEvent>(handlerType, typeof(ITransactionalQueueMessageHandler), typeof(ITransactionalQueueMessageHandler<>),
            static (h, m, tx, ct) => ((ITransactionalQueueMessageHandler)h).HandleAsync(m, tx!, ct), nameof(CallTransactionalQueue),
            "AddTransactionalQueueConsumer", "AddQueueConsumer", typeof(IQueueMessageHandler), typeof(IQueueMessageHandler<>))
        : Build<DequeuedEvent>(handlerType, typeof(IQueueMessageHandler), typeof(IQueueMessageHandler<>),
            static (h, m, _, ct) => ((IQueueMessageHandler)h).HandleAsync(m, ct), nameof(CallQueue),
            "AddQueueConsumer", "AddTransactionalQueueConsumer", typeof(ITransactionalQueueMessageHandler), typeof(ITransactionalQueueMessageHandler<>));

    private static HandlerDispatch<TEnvelope> Build<TEnvelope>(Type handlerType, Type untyped, Type typed, HandlerCall<TEnvelope> every,
        string typedCall, string method, string otherMethod, Type otherUntyped, Type otherTyped)
    {
        var name = handlerType.Name;
        var handled = HandledTypes(handlerType, typed);
        var isUntyped = untyped.IsAssignableFrom(handlerType);
        if (isUntyped && handled.Count > 0)
        {
            throw new ArgumentException(
                $"{name} implements both {untyped.Name} and {Generic(typed)}: the untyped handler already gets every event, so " +
                $"{method} cannot tell which to call. Implement one or the other.", "THandler");
        }

        if (isUntyped)
        {
            return HandlerDispatch<TEnvelope>.Untyped(name, every);
        }

        if (handled.Count == 0)
        {
            var hint = otherUntyped.IsAssignableFrom(handlerType) || HandledTypes(handlerType, otherTyped).Count > 0
                ? $" It implements {otherUntyped.Name} or {Generic(otherTyped)}: register it with {otherMethod}."
                : string.Empty;
            throw new ArgumentException(
                $"{name} handles no event type: {method} needs a class that implements {untyped.Name} (every event) or " +
                $"{Generic(typed)} for one or more event types.{hint}", "THandler");
        }

        var open = typeof(HandlerDispatch).GetMethod(typedCall, Private)!;
        return HandlerDispatch<TEnvelope>.Typed(name, handled.ToDictionary(t => t, t => open.MakeGenericMethod(t).CreateDelegate<HandlerCall<TEnvelope>>()));
    }

    private static List<Type> HandledTypes(Type handlerType, Type typed) =>
        handlerType.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typed).Select(i => i.GetGenericArguments()[0]).ToList();

    private static string Generic(Type open) => $"{open.Name[..open.Name.IndexOf('`', StringComparison.Ordinal)]}<T>";

    // The typed calls, instantiated once per handled type at registration.
    private static Task CallStream<TEvent>(object handler, StoredEvent storedEvent, ConsumerTransaction? transaction, CancellationToken cancellationToken)
        where TEvent : ICorrelatedEvent =>
        ((IEventStreamHandler<TEvent>)handler).HandleAsync((TEvent)storedEvent.Event, storedEvent, cancellationToken);

    private static Task CallTransactionalStream<TEvent>(object handler, StoredEvent storedEvent, ConsumerTransaction? transaction,
        CancellationToken cancellationToken)
        where TEvent : ICorrelatedEvent =>
        ((ITransactionalEventStreamHandler<TEvent>)handler).HandleAsync((TEvent)storedEvent.Event, storedEvent, transaction!, cancellationToken);

    private static Task CallQueue<TMessage>(object handler, DequeuedEvent delivery, ConsumerTransaction? transaction, CancellationToken cancellationToken)
        where TMessage : ICorrelatedEvent =>
        ((IQueueMessageHandler<TMessage>)handler).HandleAsync((TMessage)delivery.Event, delivery, cancellationToken);

    private static Task CallTransactionalQueue<TMessage>(object handler, DequeuedEvent delivery, ConsumerTransaction? transaction,
        CancellationToken cancellationToken)
        where TMessage : ICorrelatedEvent =>
        ((ITransactionalQueueMessageHandler<TMessage>)handler).HandleAsync((TMessage)delivery.Event, delivery, transaction!, cancellationToken);
}
