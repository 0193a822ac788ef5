using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.Offsets;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Runs a stream handler for one consumer group on one stream: takes the group lock (one active instance), reads from
/// the committed offset, calls the handler for every event in order (a typed handler for the events of the types it
/// handles, <see cref="HandlerDispatch{TEnvelope}"/>), and commits after each batch and at shutdown.
/// A transactional handler (<see cref="ITransactionalEventStreamHandler"/>) commits one event at a time instead: its
/// batch and the offset past the event in one transaction, after the handler returns and only while the lock is held.
/// Every commit carries the holder's epoch (<see cref="IConsumerGroupLease.Epoch"/>) and is rejected once another
/// instance has taken the group; then this one stops, releases and stands by.
/// </summary>
internal sealed class EventStreamConsumerService<THandler>(
    EventStreamConsumerRegistration registration,
    IServiceScopeFactory scopes,
    StreamFollower follower,
    IConsumerOffsetStore offsets,
    IParkedEventStore parked,
    IConsumerGroupLock groupLock,
    TimeProvider time,
    EventStreamingTelemetry telemetry,
    ILogger<EventStreamConsumerService<THandler>> logger,
    IConsumerTransactionFactory? transactions = null) : ShutdownBudgetService
    where THandler : class
{
    private readonly string _stream = registration.StreamName;
    private readonly string _group = registration.ConsumerGroup;
    private readonly EventStreamConsumerOptions _options = registration.Options;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let the host go on starting
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lease = await groupLock.TryAcquireAsync(_stream, _group, stoppingToken).ConfigureAwait(false);
                if (lease is null)
                {
                    // Standby: wait on the lock itself, so the takeover follows the holder's end at once.
                    Log.ConsumerStandby(logger, _stream, _group);
                    lease = await groupLock.AcquireAsync(_stream, _group, stoppingToken).ConfigureAwait(false);
                }

                await using (lease.ConfigureAwait(false))
                {
                    using var active = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                    if (!await ProcessAsync(lease, active.Token).ConfigureAwait(false))
                    {
                        return; // stopped on a failing event, as configured
                    }

                    if (lease.Lost.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                    {
                        Log.ConsumerLockLost(logger, _stream, _group);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ConsumerGroupFencedException e)
            {
                // Another instance took the group: this one has stopped and released, and stands by again.
                Log.ConsumerFenced(logger, _stream, _group, e.Epoch);
            }
            catch (Exception e)
            {
                Log.ConsumerLoopFailed(logger, e, _stream, _group, _options.TakeoverInterval);
                try
                {
                    await Task.Delay(_options.TakeoverInterval, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Processes until cancelled (true) or until a failing event stops the consumer (false). The token is
    /// cancelled when the host stops or the group lock is lost; it is checked before each event, so no handler is called
    /// once either is known. A commit rejected by the fence (<see cref="ConsumerGroupFencedException"/>) ends it too.</summary>
    private async Task<bool> ProcessAsync(IConsumerGroupLease lease, CancellationToken cancellationToken)
    {
        var next = await follower.ResolveStartAsync(_stream, _group, _options.Start, cancellationToken).ConfigureAwait(false);
        Log.ConsumerActive(logger, _stream, _group, next);
        var committed = next;
        try
        {
            await foreach (var page in follower.PagesAsync(_stream, _group, next, _options.BatchSize, _options.PollInterval, cancellationToken)
                               .ConfigureAwait(false))
            {
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var handler = scope.ServiceProvider.GetRequiredService<THandler>();
                    foreach (var storedEvent in page)
                    {
                        cancellationToken.ThrowIfCancellationRequested();

                        // A typed handler is not called for the types it does not handle: the offset moves past them.
                        var call = registration.Dispatch.Find(storedEvent.Event.GetType());
                        var outcome = call is null
                            ? HandleOutcome.Handled
                            : await HandleAsync(handler, call, storedEvent, lease, cancellationToken).ConfigureAwait(false);
                        if (outcome == HandleOutcome.Stop)
                        {
                            if (next != committed)
                            {
                                await CommitAsync(next, lease, CancellationToken.None).ConfigureAwait(false);
                            }

                            return false;
                        }

                        next = storedEvent.Position + 1;
                        if (call is null || (registration.Transactional && outcome == HandleOutcome.Parked))
                        {
                            continue; // passed over or parked: committed with the next event handled, at the end of the page or at a stop
                        }

                        if (registration.Transactional)
                        {
                            committed = next; // with the handler's batch
                        }
                        else if (_options.CommitAfterEachEvent)
                        {
                            await CommitAsync(next, lease, cancellationToken).ConfigureAwait(false);
                            committed = next;
                        }
                    }
                }

                if (next != committed)
                {
                    await CommitAsync(next, lease, cancellationToken).ConfigureAwait(false);
                    committed = next;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Graceful stop (or lost lock): commit what was processed, so a restart resumes right after it. After a lost
            // lock the commit lands only if no other instance has taken the group yet (the fence decides).
            if (next != committed)
            {
                await CommitAsync(next, lease, CancellationToken.None).ConfigureAwait(false);
            }

            Log.ConsumerStopped(logger, _stream, _group, next);
        }

        return true;
    }

    /// <summary>What became of one event: handled (for a transactional handler, committed with the offset past it),
    /// parked (nothing committed), or the consumer must stop on it.</summary>
    private enum HandleOutcome
    {
        Handled,
        Parked,
        Stop,
    }

    /// <summary>Calls the handler with retries, and parks the event or stops once they are spent, as configured. Never
    /// calls it with a token already cancelled (a stop, or a lost group lock, ends the retries instead).</summary>
    private async Task<HandleOutcome> HandleAsync(THandler handler, HandlerCall<StoredEvent> call, StoredEvent storedEvent, IConsumerGroupLease lease,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var observed = new StoreOperation(telemetry, telemetry.HandlerDuration, "process", _stream, system: null,
                ActivityKind.Consumer, TraceContext.Parse(storedEvent.TraceParent), _group);
            observed.Message(storedEvent.EventId, storedEvent.CorrelationId);
            observed.Activity?.SetTag("messaging.svrnty.offset", storedEvent.Position);
            try
            {
                if (registration.Transactional)
                {
                    await HandleInTransactionAsync(handler, call, storedEvent, lease, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await call(handler, storedEvent, transaction: null, cancellationToken).ConfigureAwait(false);
                }

                observed.Succeed();
                return HandleOutcome.Handled;
            }
            catch (Exception e) when (e is not ConsumerGroupFencedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
            {
                observed.Fail(e);
                Log.HandlerFailed(logger, e, _stream, _group, storedEvent.Position, attempt, _options.MaxAttempts);
                if (attempt < _options.MaxAttempts)
                {
                    await Task.Delay(Backoff.Delay(_options.RetryDelay, _options.MaxRetryDelay, attempt), time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (_options.OnFailure == ConsumerFailureMode.Stop)
                {
                    Log.ConsumerStoppedOnFailure(logger, e, _stream, _group, storedEvent.Position, attempt);
                    return HandleOutcome.Stop;
                }

                await parked.ParkAsync(new ParkedEvent
                {
                    StreamName = _stream,
                    ConsumerGroup = _group,
                    Offset = storedEvent.Position,
                    EventId = storedEvent.EventId,
                    Attempts = attempt,
                    Error = $"{e.GetType().FullName}: {e.Message}",
                    ParkedAt = time.GetUtcNow(),
                }, cancellationToken).ConfigureAwait(false);
                Log.EventParked(logger, e, _stream, _group, storedEvent.Position, attempt);
                return HandleOutcome.Parked;
            }
        }
    }

    /// <summary>
    /// One call of a transactional handler: its batch and the offset past the event commit together, fenced by the
    /// holder's epoch (a batch from a holder that lost the group is rejected whole). A handler that finished as the
    /// consumer stops still commits (within the host's shutdown budget, <see cref="ShutdownBudgetService.ShutdownBudget"/>);
    /// a lost group lock known before the commit rolls it back.
    /// </summary>
    private async Task HandleInTransactionAsync(THandler handler, HandlerCall<StoredEvent> call, StoredEvent storedEvent,
        IConsumerGroupLease lease, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(lease.Lost, ShutdownBudget);
        // A transactional registration always passes a factory (TransactionalConsumerServiceCollectionExtensions.Transactions).
        await transactions!.HandleAsync(call, handler, storedEvent,
            batch => batch.CommitOffset(_stream, _group, storedEvent.Position + 1, lease.Epoch), cancellationToken, bounded.Token).ConfigureAwait(false);
    }

    /// <summary>Commits the group's offset, fenced by the holder's epoch when the store is one of ours (an application's
    /// own <see cref="IConsumerOffsetStore"/> gets a plain commit). A final commit (a stop) is bounded by the host's
    /// shutdown budget.</summary>
    private async Task CommitAsync(long nextOffset, IConsumerGroupLease lease, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, ShutdownBudget);
        if (offsets is ConsumerOffsetStoreBase fenced)
        {
            await fenced.CommitFencedAsync(_stream, _group, nextOffset, lease.Epoch, timeout.Token).ConfigureAwait(false);
        }
        else
        {
            await offsets.CommitOffsetAsync(_stream, _group, nextOffset, timeout.Token).ConfigureAwait(false);
        }
    }
}
