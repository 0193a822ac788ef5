namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>
/// Shares the sequencer steps of one store's concurrent log readers. A log read must see every append that returned
/// before it began, so it needs a step that started after it arrived; one such step serves every reader that arrived
/// before the step started. So a reader that finds no step running leads one (the step and its own query in one round
/// trip, as alone); a reader that finds one running waits for it, then either leads the next or, when a step that
/// started after its arrival has completed meanwhile, runs its query alone, without the step and its lock. N readers
/// woken by one notification (N subscribers of <c>$all</c>) cost one or two steps instead of N steps queued on the
/// advisory lock. Across processes the lock still orders the steps.
/// </summary>
internal sealed class SequencerSteps
{
    private readonly Lock _sync = new();
    private long _started;    // steps started by this store's readers
    private long _completed;  // the latest of them that committed
    private Task _running = Task.CompletedTask;

    /// <summary>Runs <paramref name="withStep"/> (the step and the query) or, when a step started after this call has
    /// committed meanwhile, <paramref name="queryOnly"/>.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> withStep, Func<CancellationToken, Task<T>> queryOnly,
        CancellationToken cancellationToken)
    {
        long needed;
        lock (_sync)
        {
            needed = _started + 1;
        }

        while (true)
        {
            var covered = false;
            var wait = Task.CompletedTask;
            TaskCompletionSource? lead = null;
            long generation = 0;
            lock (_sync)
            {
                if (_completed >= needed)
                {
                    covered = true;
                }
                else if (_running.IsCompleted)
                {
                    generation = ++_started;
                    lead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _running = lead.Task;
                    wait = lead.Task;
                }
                else
                {
                    wait = _running;
                }
            }

            if (lead is not null)
            {
                try
                {
                    var result = await withStep(cancellationToken).ConfigureAwait(false);
                    lock (_sync)
                    {
                        _completed = Math.Max(_completed, generation);
                    }

                    return result;
                }
                finally
                {
                    lead.SetResult(); // on failure too: a waiter then leads the next step
                }
            }

            if (covered)
            {
                return await queryOnly(cancellationToken).ConfigureAwait(false);
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
