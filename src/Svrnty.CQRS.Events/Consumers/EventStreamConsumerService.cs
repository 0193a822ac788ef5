using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Runs a stream handler for one consumer group on one stream: takes the group lock (one active instance), reads from
/// the committed offset, calls the handler for every event in order (a typed handler for the events of the types it
/// handles, <see cref="HandlerDispatch{TEnvelope}"/>), and commits after each batch and at shutdown.
/// A transactional handler (<see cref="ITransactionalEventStreamHandler"/>) commits one event at a time instead: its
/// batch and the offset past the event in one transaction, after the handler returns and only while the lock is held.
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
    IConsumerTransactionFactory? transactions = null) : BackgroundService
    where THandler : class
{
    private static readonly TimeSpan ShutdownCommitTimeout = TimeSpan.FromSeconds(10);
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
                    Log.ConsumerStandby(logger, _stream, _group);
                    await Task.Delay(_options.TakeoverInterval, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await using (lease.ConfigureAwait(false))
                {
                    using var active = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                    if (!await ProcessAsync(active.Token, lease.Lost).ConfigureAwait(false))
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

    /// <summary>Processes until cancelled (true) or until a failing event stops the consumer (false).</summary>
    private async Task<bool> ProcessAsync(CancellationToken cancellationToken, CancellationToken lockLost)
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
                        // A typed handler is not called for the types it does not handle: the offset moves past them.
                        var call = registration.Dispatch.Find(storedEvent.Event.GetType());
                        if (call is not null && !await HandleAsync(handler, call, storedEvent, cancellationToken, lockLost).ConfigureAwait(false))
                        {
                            await CommitAsync(next, CancellationToken.None).ConfigureAwait(false);
                            return false;
                        }

                        next = storedEvent.Position + 1;
                        if (call is null)
                        {
                            continue; // passed over: committed with the next event handled, or at the end of the page
                        }

                        if (registration.Transactional)
                        {
                            committed = next; // with the handler's batch, or parked (committed at the end of the page)
                        }
                        else if (_options.CommitAfterEachEvent)
                        {
                            await CommitAsync(next, cancellationToken).ConfigureAwait(false);
                            committed = next;
                        }
                    }
                }

                await CommitAsync(next, cancellationToken).ConfigureAwait(false);
                committed = next;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Graceful stop (or lost lock): commit what was processed, so a restart resumes right after it.
            if (next != committed)
            {
                await CommitAsync(next, CancellationToken.None).ConfigureAwait(false);
            }

            Log.ConsumerStopped(logger, _stream, _group, next);
        }

        return true;
    }

    /// <summary>Calls the handler with retries; false when the consumer must stop on this event.</summary>
    private async Task<bool> HandleAsync(THandler handler, HandlerCall<StoredEvent> call, StoredEvent storedEvent, CancellationToken cancellationToken,
        CancellationToken lockLost)
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
                    await HandleInTransactionAsync(handler, call, storedEvent, cancellationToken, lockLost).ConfigureAwait(false);
                }
                else
                {
                    await call(handler, storedEvent, transaction: null, cancellationToken).ConfigureAwait(false);
                }

                observed.Succeed();
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
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
                    return false;
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
                return true;
            }
        }
    }

    /// <summary>
    /// One call of a transactional handler: its batch and the offset past the event commit together. A handler that
    /// finished as the consumer stops still commits (within <see cref="ShutdownCommitTimeout"/>); a lost group lock rolls
    /// it back, since another instance may be handling the event by now.
    /// </summary>
    private async Task HandleInTransactionAsync(THandler handler, HandlerCall<StoredEvent> call, StoredEvent storedEvent,
        CancellationToken cancellationToken, CancellationToken lockLost)
    {
        var factory = transactions ?? throw new InvalidOperationException(
            "No consumer transactions are registered: register a backend (AddInMemoryEventStorage, AddPostgresEventStreaming).");
        var unit = await factory.BeginAsync(cancellationToken).ConfigureAwait(false);
        await using (unit.ConfigureAwait(false))
        {
            await call(handler, storedEvent, unit.Transaction, cancellationToken).ConfigureAwait(false);
            unit.Transaction.Batch.CommitOffset(_stream, _group, storedEvent.Position + 1);
            lockLost.ThrowIfCancellationRequested();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(lockLost);
            timeout.CancelAfter(ShutdownCommitTimeout);
            await unit.CommitAsync(timeout.Token).ConfigureAwait(false);
        }
    }

    private async Task CommitAsync(long nextOffset, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ShutdownCommitTimeout);
        await offsets.CommitOffsetAsync(_stream, _group, nextOffset, timeout.Token).ConfigureAwait(false);
    }
}
