using System.Collections.Concurrent;
using System.Reflection;
using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.Serialization;

/// <summary>
/// Maps event types to stored names and back. A stored name resolves only to a concrete type that implements
/// <see cref="ICorrelatedEvent"/>; nothing else is ever instantiated from storage.
/// </summary>
internal sealed class EventTypeNames
{
    private readonly ConcurrentDictionary<Type, string> _names;
    private readonly ConcurrentDictionary<string, Type?> _types;

    public EventTypeNames(EventSerializationOptions options)
    {
        _names = new ConcurrentDictionary<Type, string>(options.Names);
        _types = new ConcurrentDictionary<string, Type?>(options.Types!, StringComparer.Ordinal);

        // A name that did not resolve may resolve once more assemblies are loaded.
        AppDomain.CurrentDomain.AssemblyLoad += (_, _) => ForgetUnresolved();
    }

    public string GetName(Type type) => _names.GetOrAdd(type, static (t, types) =>
    {
        var name = t.FullName ?? t.Name;
        types.TryAdd(name, t);
        return name;
    }, _types);

    public Type? Resolve(string name) => _types.GetOrAdd(name, FindLoadedType);

    internal static bool IsInstantiableEventType(Type type) =>
        type is { IsAbstract: false, IsInterface: false, ContainsGenericParameters: false }
        && typeof(ICorrelatedEvent).IsAssignableFrom(type)
        && type != typeof(UnknownEvent);

    private static Type? FindLoadedType(string name)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic)
            {
                continue;
            }

            Type? type;
            try
            {
                type = assembly.GetType(name, throwOnError: false, ignoreCase: false);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or ReflectionTypeLoadException)
            {
                continue;
            }

            if (type is not null && IsInstantiableEventType(type))
            {
                return type;
            }
        }

        return null;
    }

    private void ForgetUnresolved()
    {
        foreach (var (name, type) in _types)
        {
            if (type is null)
            {
                _types.TryRemove(new KeyValuePair<string, Type?>(name, null));
            }
        }
    }
}
