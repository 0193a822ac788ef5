using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.InMemory.Consumers;

/// <summary>
/// Wakes consumers on appends and enqueues made through the in-memory stores: every subscriber of a stream, one idle
/// worker of a queue per message.
/// </summary>
internal sealed class InMemoryChangeNotifier(InMemoryEventStorage storage) : IStreamChangeNotifier
{
    public Task StreamChanged(string streamName) => storage.Signals.Next(ChangeSignals.StreamKey(streamName));

    public Task QueueChanged(string queueName, CancellationToken withdraw) => storage.Signals.NextOne(ChangeSignals.QueueKey(queueName), withdraw);
}
