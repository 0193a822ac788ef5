using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>
/// Numbers the log streams in the background, so that appends that nobody reads through a log do not pile up in
/// <c>log_pending</c>. It wakes on every append notification (any stream's append wakes <see cref="LogStreams.All"/>'s
/// waiters) and at least every <see cref="PollInterval"/>, and runs the sequencer step, which log readers also run
/// before they read: correctness never depends on this loop, only the size of each step does. While appends arrive it
/// also vacuums <c>log_pending</c> every <see cref="VacuumInterval"/>, so the step never reads more than a few seconds
/// of dead rows (migration 004 says why).
/// </summary>
internal sealed class LogSequencerService(
    PostgresEventStreamStore store,
    IStreamChangeNotifier notifier,
    PostgresDatabase database,
    TimeProvider time,
    ILogger<LogSequencerService> logger) : BackgroundService
{
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan VacuumInterval = TimeSpan.FromSeconds(2);

    /// <summary>After a step that numbered appends, how long the loop lets the next ones gather before it steps again.</summary>
    internal static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Whether appends arrived since the last vacuum: a step numbered something, or an append notification came.
        var appended = false;
        var lastVacuum = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            // Take the wake-up before the step, so an append during the step wakes the next one.
            var changed = notifier.StreamChanged(LogStreams.All);
            var numbered = false;
            var failed = false;
            try
            {
                numbered = await store.SequenceLogsAsync(stoppingToken).ConfigureAwait(false) > 0;
                appended |= numbered;
                if (appended && time.GetElapsedTime(lastVacuum) >= VacuumInterval)
                {
                    appended = false;
                    lastVacuum = time.GetTimestamp();
                    await store.VacuumLogPendingAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A server that is down, or a schema not yet migrated (AutoMigrate off): try again after PollInterval.
                Log.LogSequencerFailed(logger, e, database.SchemaName, PollInterval);
                failed = true;
            }

            try
            {
                if (failed)
                {
                    // As the log says: a persistent error costs one step and one log line per PollInterval, not one
                    // per append notification.
                    await Task.Delay(PollInterval, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (numbered)
                {
                    // Appends are arriving: let them gather for a moment, so that a step numbers many at once. Log
                    // readers never wait for this loop (they run the step themselves), so it costs them nothing.
                    await Task.Delay(Gather, time, stoppingToken).ConfigureAwait(false);
                }

                await changed.WaitAsync(PollInterval, time, stoppingToken).ConfigureAwait(false);
                appended = true;
            }
            catch (TimeoutException)
            {
                // The poll: a notification can be lost (a listener reconnecting, notifications turned off).
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
