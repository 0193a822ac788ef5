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

    /// <summary>
    /// A task that completes when <paramref name="queueName"/> receives a visible message after this call and this
    /// waiter is the one woken for it: each message wakes one waiter of the queue in this process, not all of them, and
    /// never a waiter of another queue (after an interruption of the notification source, every waiter wakes).
    /// </summary>
    /// <param name="queueName">The queue.</param>
    /// <param name="withdraw">
    /// Cancel it when you stop waiting without acting on a wake-up (you found a message, the poll interval passed, you
    /// stop): a waiter not yet woken is withdrawn; one already woken hands its wake-up to another waiter of the queue.
    /// Use a token of the wait's own; see <see cref="ChangeSignals.NextOne"/>.
    /// </param>
    /// <returns>The task; it may never complete if no notification arrives.</returns>
    Task QueueChanged(string queueName, CancellationToken withdraw);
}
