namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>
/// One handle on persistent streams (<see cref="IEventStreamWriter"/>, <see cref="IEventStreamReader"/>) and
/// ephemeral queues (<see cref="IEventQueue"/>). Depend on the smaller interfaces where a component needs only one
/// of them; every backend registers all of them as the same singleton.
/// </summary>
public interface IEventStreamStore : IEventStreamWriter, IEventStreamReader, IEventQueue, IEventBatchWriter
{
}
