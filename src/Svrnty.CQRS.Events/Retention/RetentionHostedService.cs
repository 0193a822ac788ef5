using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Svrnty.CQRS.Events.Retention;

/// <summary>
/// Enforces retention every <see cref="RetentionOptions.Interval"/> (first run one interval after startup), on the
/// injected <see cref="TimeProvider"/>. A failed run is logged and the next one happens on schedule.
/// </summary>
internal sealed class RetentionHostedService(
    IRetentionEnforcer enforcer,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        Log.Started(logger, settings.Interval, settings.BatchSize);
        using var timer = new PeriodicTimer(settings.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await enforcer.EnforceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.RunFailed(logger, e, settings.Interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
