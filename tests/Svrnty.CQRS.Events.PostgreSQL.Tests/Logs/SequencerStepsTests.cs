using Svrnty.CQRS.Events.PostgreSQL.Streams;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Logs;

/// <summary>
/// How concurrent log readers share sequencer steps: a reader never takes a step that started before it arrived as
/// its own (it could miss an append that returned before the read), and readers that arrived during one step share the
/// next one.
/// </summary>
public sealed class SequencerStepsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Starts a reader whose step runs until <c>release</c> is set, then ends with <paramref name="result"/>;
    /// returns once the step is running.</summary>
    private static async Task<(TaskCompletionSource Release, Task<string> Reader)> StartStepAsync(SequencerSteps steps, Func<string> result)
    {
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var reader = steps.RunAsync(async _ => { started.SetResult(); await release.Task; return result(); }, _ => Task.FromResult("query"),
            CancellationToken.None);
        await started.Task.WaitAsync(Wait);
        return (release, reader);
    }

    [Fact]
    public async Task A_reader_that_arrives_during_a_step_runs_a_step_of_its_own_after_it_never_reads_on_the_running_one()
    {
        var steps = new SequencerSteps();
        var (first, r1) = await StartStepAsync(steps, () => "step 1");

        var r2 = steps.RunAsync(_ => Task.FromResult("step 2"), _ => Task.FromResult("query 2"), CancellationToken.None);
        Assert.False(r2.IsCompleted);

        first.SetResult();
        Assert.Equal("step 1", await r1.WaitAsync(Wait));
        Assert.Equal("step 2", await r2.WaitAsync(Wait));
    }

    [Fact]
    public async Task Readers_that_arrive_during_one_step_share_the_next_one_and_then_run_their_queries_alone()
    {
        var steps = new SequencerSteps();
        var (first, r1) = await StartStepAsync(steps, () => "step");

        var second = new TaskCompletionSource();
        var stepsRun = 0;
        var waiting = Enumerable.Range(0, 8).Select(_ => steps.RunAsync(
            async _ => { Interlocked.Increment(ref stepsRun); await second.Task; return "step"; },
            _ => Task.FromResult("query"), CancellationToken.None)).ToList();

        first.SetResult();
        await r1.WaitAsync(Wait);
        await Deadline.UntilAsync(() => Task.FromResult(Volatile.Read(ref stepsRun)), n => n == 1, "one waiting reader leads the next step");
        second.SetResult();
        var results = await Task.WhenAll(waiting).WaitAsync(Wait);

        Assert.Equal(1, stepsRun);
        Assert.Equal(1, results.Count(r => r == "step"));
        Assert.Equal(7, results.Count(r => r == "query"));
    }

    [Fact]
    public async Task When_the_leading_step_fails_its_reader_sees_the_error_and_a_waiting_reader_leads_the_next()
    {
        var steps = new SequencerSteps();
        var (first, r1) = await StartStepAsync(steps, () => throw new InvalidOperationException("server gone"));
        var r2 = steps.RunAsync(_ => Task.FromResult("step 2"), _ => Task.FromResult("query 2"), CancellationToken.None);

        first.SetResult();
        await Assert.ThrowsAsync<InvalidOperationException>(() => r1.WaitAsync(Wait));
        Assert.Equal("step 2", await r2.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_waiting_reader_can_be_cancelled()
    {
        var steps = new SequencerSteps();
        var (first, r1) = await StartStepAsync(steps, () => "step 1");
        using var cancel = new CancellationTokenSource();
        var r2 = steps.RunAsync(_ => Task.FromResult("step 2"), _ => Task.FromResult("query 2"), cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => r2.WaitAsync(Wait));
        first.SetResult();
        Assert.Equal("step 1", await r1.WaitAsync(Wait));
    }
}
