using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Runs a queue handler with N workers: each leases a message, extends the lease while the handler runs, acknowledges
/// on success and gives it back on failure (at once or after <see cref="QueueConsumerOptions.RedeliveryDelay"/>); the
/// store dead-letters it after <see cref="StreamConfiguration.MaxDeliveryAttempts"/>. Idle workers wait for a
/// notification (one message wakes one of them), polling as the safety net. On stop, the handlers' tokens are
/// cancelled; what they finish is still acknowledged (or given back) and their leases extended, but only until the
/// host's shutdown timeout runs out (<see cref="ShutdownBudgetService.ShutdownBudget"/>). A transactional handler
/// (<see cref="ITransactionalQueueMessageHandler"/>) is acknowledged in its own batch, in one transaction with its effects.
/// A typed handler is called only for the message types it handles; the others are acknowledged without a call.
/// </summary>
internal sealed class QueueConsumerService<THandler>(
    QueueConsumerRegistration registration,
    IServiceScopeFactory scopes,
    IEventQueue queue,
    IQueueLeaseExtender leases,
    IStreamChangeNotifier notifier,
    TimeProvider time,
    EventStreamingTelemetry telemetry,
    ILogger<QueueConsumerService<THandler>> logger,
    IConsumerTransactionFactory? transactions = null) : ShutdownBudgetService
    where THandler : class
{
    private readonly string _queue = registration.QueueName;
    private readonly QueueConsumerOptions _options = registration.Options;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var prefix = _options.ConsumerIdPrefix ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        var instance = QueueConsumerIds.NewInstance();
        Log.QueueConsumerStarted(logger, _queue, _options.Concurrency);
        await Task.WhenAll(Enumerable.Range(0, _options.Concurrency)
            .Select(i => WorkAsync(QueueConsumerIds.Of(prefix, instance, i), stoppingToken))).ConfigureAwait(false);
    }

    private async Task WorkAsync(string consumerId, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DequeueOrWaitAsync(consumerId, stoppingToken).ConfigureAwait(false) is { } message)
                {
                    await HandleAsync(message, consumerId, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.QueueLoopFailed(logger, e, _queue, consumerId, _options.PollInterval);
                try
                {
                    await Task.Delay(_options.PollInterval, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Leases the next message, or waits until one is notified or the poll interval passes and returns null. The wait is
    /// taken before the dequeue, so no enqueue is missed; it is withdrawn unless this worker acts on its wake-up, so that
    /// a message notified while this worker is busy (or has stopped waiting) wakes another idle worker instead.
    /// </summary>
    private async Task<DequeuedEvent?> DequeueOrWaitAsync(string consumerId, CancellationToken stoppingToken)
    {
        var woken = false;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        try
        {
            var changed = notifier.QueueChanged(_queue, wait.Token);
            var message = await queue.DequeueAsync(_queue, consumerId, _options.VisibilityTimeout, stoppingToken).ConfigureAwait(false);
            if (message is null)
            {
                await StreamFollower.WaitAsync(changed, _options.PollInterval, time, stoppingToken).ConfigureAwait(false);
                woken = changed.IsCompletedSuccessfully; // the caller's next dequeue acts on it
            }

            return message;
        }
        finally
        {
            if (!woken)
            {
                await wait.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task HandleAsync(DequeuedEvent message, string consumerId, CancellationToken stoppingToken)
    {
        // After a stop, the handler's token is cancelled at once, but its outcome is still settled (and its lease kept)
        // until the host's shutdown budget is spent; past it the message comes back when its lease expires.
        var budget = ShutdownBudget;
        // A typed handler is not called for the message types it does not handle: they are acknowledged.
        var call = registration.Dispatch.Find(message.Event.GetType());
        var (failure, settled) = call is null
            ? (null, false)
            : await CallAsync(call, message, consumerId, stoppingToken, budget).ConfigureAwait(false);
        if (settled)
        {
            return;
        }

        try
        {
            await SettleAsync(message, consumerId, failure, stoppingToken, budget).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            Log.QueueSettleAbandoned(logger, _queue, message.EventId, consumerId);
        }
    }

    /// <summary>Calls the handler while keeping the lease; the failure to settle, or settled when a transactional call
    /// committed (or lost the lease).</summary>
    private async Task<(Exception? Failure, bool Settled)> CallAsync(HandlerCall<DequeuedEvent> call, DequeuedEvent message, string consumerId,
        CancellationToken stoppingToken, CancellationToken budget)
    {
        using var handling = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(budget);
        var extension = KeepLeaseAsync(message, consumerId, handling, keepAlive.Token);
        Exception? failure = null;
        var settled = false;
        using (var observed = new StoreOperation(telemetry, telemetry.HandlerDuration, "process", _queue, system: null,
                   ActivityKind.Consumer, TraceContext.Parse(message.TraceParent), consumerGroup: null))
        {
            observed.Message(message.EventId, message.Event.CorrelationId);
            observed.Activity?.SetTag("messaging.message.delivery_count", message.DeliveryCount);
            try
            {
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var handler = scope.ServiceProvider.GetRequiredService<THandler>();
                    if (registration.Transactional)
                    {
                        await HandleInTransactionAsync(handler, call, message, consumerId, handling.Token, budget).ConfigureAwait(false);
                        settled = true;
                    }
                    else
                    {
                        await call(handler, message, transaction: null, handling.Token).ConfigureAwait(false);
                    }
                }

                observed.Succeed();
            }
            catch (QueueLeaseLostException e)
            {
                // Another consumer holds the message now: nothing of this call committed, and there is nothing to give back.
                observed.Fail(e);
                Log.QueueLeaseLost(logger, _queue, message.EventId);
                settled = true;
            }
            catch (Exception e)
            {
                failure = e;
                observed.Fail(e);
            }
        }

        await keepAlive.CancelAsync().ConfigureAwait(false);
        await extension.ConfigureAwait(false);
        return (failure, settled);
    }

    /// <summary>
    /// One call of a transactional handler: its batch and the message's acknowledgement commit together. A handler that
    /// finished as the consumer stops still commits, within the shutdown budget; a lost lease fails the fenced
    /// acknowledgement (<see cref="QueueLeaseLostException"/>), which rolls everything back.
    /// </summary>
    private async Task HandleInTransactionAsync(THandler handler, HandlerCall<DequeuedEvent> call, DequeuedEvent message, string consumerId,
        CancellationToken handling, CancellationToken budget)
    {
        // A transactional registration always passes a factory (TransactionalConsumerServiceCollectionExtensions.Transactions).
        await transactions!.HandleAsync(call, handler, message, batch => batch.Acknowledge(_queue, message.EventId, consumerId), handling, budget)
            .ConfigureAwait(false);
    }

    /// <summary>Acknowledges a handled message or gives a failed one back.</summary>
    private async Task SettleAsync(DequeuedEvent message, string consumerId, Exception? failure, CancellationToken stoppingToken,
        CancellationToken budget)
    {
        if (failure is null)
        {
            if (!await queue.AcknowledgeAsync(_queue, message.EventId, consumerId, budget).ConfigureAwait(false))
            {
                Log.QueueLeaseLost(logger, _queue, message.EventId);
            }

            return;
        }

        if (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-handler: give the message back at once for another instance.
            await queue.NackAsync(_queue, message.EventId, consumerId, requeue: true, budget).ConfigureAwait(false);
            return;
        }

        Log.QueueHandlerFailed(logger, failure, _queue, message.EventId, message.DeliveryCount);
        if (_options.RedeliveryDelay > TimeSpan.Zero)
        {
            // Keeping the lease for the delay makes the message visible again only then; the store counts the
            // delivery and dead-letters it at the next dequeue if it has used all its attempts.
            await leases.ExtendLeaseAsync(_queue, message.EventId, consumerId, _options.RedeliveryDelay, budget).ConfigureAwait(false);
        }
        else
        {
            await queue.NackAsync(_queue, message.EventId, consumerId, requeue: true, budget).ConfigureAwait(false);
        }
    }

    /// <summary>Extends the lease every half visibility timeout while the handler runs; cancels it if the lease is lost.</summary>
    private async Task KeepLeaseAsync(DequeuedEvent message, string consumerId, CancellationTokenSource handling, CancellationToken keepAlive)
    {
        var interval = _options.VisibilityTimeout / 2;
        try
        {
            while (true)
            {
                await Task.Delay(interval, time, keepAlive).ConfigureAwait(false);
                DateTimeOffset? extended;
                try
                {
                    extended = await leases.ExtendLeaseAsync(_queue, message.EventId, consumerId, _options.VisibilityTimeout, keepAlive).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.QueueLoopFailed(logger, e, _queue, consumerId, interval);
                    continue; // a transient failure: try again before the lease runs out
                }

                if (extended is null)
                {
                    Log.QueueLeaseLost(logger, _queue, message.EventId);
                    await handling.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (keepAlive.IsCancellationRequested)
        {
        }
    }
}
