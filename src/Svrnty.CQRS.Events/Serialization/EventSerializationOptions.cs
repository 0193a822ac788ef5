using System.Text.Json;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Serialization;

/// <summary>How events are turned into JSON and how their types are named in storage.</summary>
/// <remarks>
/// By default an event type is stored under its full name (namespace and type name, e.g. <c>MyApp.Orders.OrderPlaced</c>).
/// Map a type to a stable name of your own with <see cref="MapEventType{TEvent}(string, string[])"/> so that renaming or
/// moving the class does not orphan the events already stored; list the names it was stored under before as
/// <c>formerNames</c> so those events keep reading as the new type.
/// </remarks>
public sealed class EventSerializationOptions
{
    private readonly Dictionary<Type, string> _names = [];
    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>The System.Text.Json options used for event payloads.</summary>
    /// <value>Default: <see cref="JsonSerializerDefaults.Web"/> (camelCase properties, case-insensitive reads).</value>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>The default of <see cref="MaxEventSizeBytes"/>: 1 MiB.</summary>
    public const int DefaultMaxEventSizeBytes = 1024 * 1024;

    /// <summary>The largest event accepted, in bytes of its UTF-8 JSON. A larger event is refused with an
    /// <see cref="ArgumentException"/> naming the parameter, before any I/O, and nothing is written. Events are stored
    /// whole in one row (or one in-memory entry) and read back in pages; keep large payloads elsewhere and store a
    /// reference.</summary>
    /// <value>Default: 1,048,576 (1 MiB). At least 1.</value>
    public int MaxEventSizeBytes { get; set; } = DefaultMaxEventSizeBytes;

    /// <summary>Stores <typeparamref name="TEvent"/> under <paramref name="name"/>, and reads events stored under
    /// <paramref name="name"/> or any of <paramref name="formerNames"/> as <typeparamref name="TEvent"/>.</summary>
    /// <typeparam name="TEvent">A concrete event type.</typeparam>
    /// <param name="name">The stable name to store, at most 256 characters.</param>
    /// <param name="formerNames">Names the type was stored under before, still read as this type.</param>
    /// <returns>These options, for chaining.</returns>
    public EventSerializationOptions MapEventType<TEvent>(string name, params string[] formerNames)
        where TEvent : ICorrelatedEvent =>
        MapEventType(typeof(TEvent), name, formerNames);

    /// <summary>Stores <paramref name="eventType"/> under <paramref name="name"/>, and reads events stored under
    /// <paramref name="name"/> or any of <paramref name="formerNames"/> as <paramref name="eventType"/>.</summary>
    /// <param name="eventType">A concrete type that implements <see cref="ICorrelatedEvent"/>.</param>
    /// <param name="name">The stable name to store, at most 256 characters.</param>
    /// <param name="formerNames">Names the type was stored under before, still read as this type.</param>
    /// <returns>These options, for chaining.</returns>
    public EventSerializationOptions MapEventType(Type eventType, string name, params string[] formerNames)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(formerNames);
        if (!EventTypeNames.IsInstantiableEventType(eventType))
        {
            throw new ArgumentException(
                $"'{eventType}' cannot be mapped: an event type must be a concrete, non-generic type that implements {nameof(ICorrelatedEvent)}.",
                nameof(eventType));
        }

        Validation.Argument.Name(name, nameof(name));
        _names[eventType] = name;
        foreach (var alias in formerNames.Prepend(name))
        {
            Validation.Argument.Name(alias, nameof(formerNames));
            if (_types.TryGetValue(alias, out var existing) && existing != eventType)
            {
                throw new ArgumentException($"The event-type name '{alias}' is already mapped to '{existing}'.", nameof(name));
            }

            _types[alias] = eventType;
        }

        return this;
    }

    internal IReadOnlyDictionary<Type, string> Names => _names;

    internal IReadOnlyDictionary<string, Type> Types => _types;
}
