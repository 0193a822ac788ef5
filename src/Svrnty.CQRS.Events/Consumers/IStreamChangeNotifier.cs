namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Backend service: tells waiting consumers that a stream was appended to or a queue received a message, so they do
/// not have to poll. Notifications are a latency optimisation, never a guarantee: consumers keep polling as a safety net.
/// </summary>
internal interface IStreamChangeNotifier
{
    /// <summary>A task that completes at the next append to <paramref name="streamName"/> after this call.</summary>
    /// <param name="streamName">The stream.</param>
    /// <returns>The task; it may never complete if no notification arrives.</returns>
    Task StreamChanged(string streamName);

    /// <summary>A task that completes when <paramref name="queueName"/> next receives a visible message after this call.</summary>
    /// <param name="queueName">The queue.</param>
    /// <returns>The task; it may never complete if no notification arrives.</returns>
    Task QueueChanged(string queueName);
}
