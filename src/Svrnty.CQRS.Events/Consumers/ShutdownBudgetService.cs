using Microsoft.Extensions.Hosting;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// A consumer's hosted service that knows the host's shutdown budget: <see cref="ShutdownBudget"/> is cancelled once the
/// token the host passes to <see cref="StopAsync"/> is (the host's shutdown timeout has run out). Work a consumer
/// finishes as it stops (a final acknowledgement or commit) is bounded by it, and by nothing else while running.
/// </summary>
internal abstract class ShutdownBudgetService : BackgroundService
{
    // Never disposed: it has no timer, and a worker may still read it after the host has given up waiting and disposed
    // the service.
    private readonly CancellationTokenSource _shutdownBudget = new();

    /// <summary>Cancelled when the host's shutdown budget is spent.</summary>
    protected CancellationToken ShutdownBudget => _shutdownBudget.Token;

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var spent = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _shutdownBudget);
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await spent.DisposeAsync().ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                // The base class returns as the host's token is cancelled, possibly before the registration above ran
                // (and then disposing it removed it): the budget is spent either way.
                await _shutdownBudget.CancelAsync().ConfigureAwait(false);
            }
        }
    }
}
