using Svrnty.CQRS.Events.Consumers;

namespace Svrnty.CQRS.Events.Tests.Consumers;

public sealed class ChangeSignalsTests
{
    private static readonly string Queue = ChangeSignals.QueueKey("emails");

    [Fact]
    public void A_notification_wakes_one_queue_waiter_the_longest_waiting()
    {
        var signals = new ChangeSignals();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        using var third = new CancellationTokenSource();
        var waiters = new[] { signals.NextOne(Queue, first.Token), signals.NextOne(Queue, second.Token), signals.NextOne(Queue, third.Token) };

        signals.Notify(Queue);

        Assert.Equal([true, false, false], waiters.Select(w => w.IsCompletedSuccessfully));
        signals.Notify(Queue);
        Assert.Equal([true, true, false], waiters.Select(w => w.IsCompletedSuccessfully));
    }

    [Fact]
    public void A_notification_wakes_every_stream_waiter_and_nobody_of_another_name()
    {
        var signals = new ChangeSignals();
        using var other = new CancellationTokenSource();
        var stream = ChangeSignals.StreamKey("orders");
        var readers = new[] { signals.Next(stream), signals.Next(stream) };
        var otherQueue = signals.NextOne(ChangeSignals.QueueKey("sms"), other.Token);
        var otherStream = signals.Next(ChangeSignals.StreamKey("invoices"));

        signals.Notify(stream);
        signals.Notify(Queue);

        Assert.All(readers, r => Assert.True(r.IsCompletedSuccessfully));
        Assert.False(otherQueue.IsCompleted);
        Assert.False(otherStream.IsCompleted);
    }

    [Fact]
    public async Task A_withdrawn_waiter_is_cancelled_and_does_not_take_a_later_notification()
    {
        var signals = new ChangeSignals();
        using var gone = new CancellationTokenSource();
        using var idle = new CancellationTokenSource();
        var withdrawn = signals.NextOne(Queue, gone.Token);
        var waiting = signals.NextOne(Queue, idle.Token);

        await gone.CancelAsync();
        signals.Notify(Queue);

        Assert.True(withdrawn.IsCanceled);
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_woken_waiter_that_withdraws_hands_its_wake_up_to_the_next()
    {
        // A worker that found a message in the dequeue it made after taking its turn does not act on a wake-up that
        // arrived meanwhile: withdrawing passes it on, so the message notified meanwhile is not left waiting for a poll.
        var signals = new ChangeSignals();
        using var busy = new CancellationTokenSource();
        using var idle = new CancellationTokenSource();
        var busyTurn = signals.NextOne(Queue, busy.Token);
        var idleTurn = signals.NextOne(Queue, idle.Token);
        signals.Notify(Queue);
        Assert.True(busyTurn.IsCompletedSuccessfully);
        Assert.False(idleTurn.IsCompleted);

        await busy.CancelAsync();

        Assert.True(idleTurn.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_woken_waiter_that_acts_on_its_wake_up_hands_nothing_on()
    {
        var signals = new ChangeSignals();
        var acted = new CancellationTokenSource();
        using var idle = new CancellationTokenSource();
        var actedTurn = signals.NextOne(Queue, acted.Token);
        var idleTurn = signals.NextOne(Queue, idle.Token);
        signals.Notify(Queue);
        await actedTurn;

        acted.Dispose(); // what a worker does with the token of a wait it acted on

        Assert.False(idleTurn.IsCompleted);
    }

    [Fact]
    public void A_notification_with_no_waiter_is_not_kept()
    {
        var signals = new ChangeSignals();
        using var later = new CancellationTokenSource();

        signals.Notify(Queue);

        Assert.False(signals.NextOne(Queue, later.Token).IsCompleted);
    }

    [Fact]
    public void Notify_all_wakes_every_waiter_of_every_name()
    {
        var signals = new ChangeSignals();
        using var tokens = new CancellationTokenSource();
        var waiters = new[]
        {
            signals.NextOne(Queue, tokens.Token), signals.NextOne(Queue, tokens.Token),
            signals.NextOne(ChangeSignals.QueueKey("sms"), tokens.Token), signals.Next(ChangeSignals.StreamKey("orders")),
        };

        signals.NotifyAll();

        Assert.All(waiters, w => Assert.True(w.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task An_already_withdrawn_token_gives_a_cancelled_wait()
    {
        var signals = new ChangeSignals();
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        Assert.True(signals.NextOne(Queue, gone.Token).IsCanceled);
        using var idle = new CancellationTokenSource();
        var waiting = signals.NextOne(Queue, idle.Token);
        signals.Notify(Queue);
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Under_concurrent_enqueues_no_message_waits_for_a_poll()
    {
        // The queue consumer's loop, with a counter for a queue and no poll: take a turn, try to take a message; with
        // one, withdraw the turn (busy) and handle it; without, wait for the turn. A lost wake-up leaves messages behind
        // with every worker asleep, and the deadline fails the test.
        const int messages = 20_000;
        var signals = new ChangeSignals();
        var queued = 0;
        var handled = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var woken = false;
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                var turn = signals.NextOne(Queue, wait.Token);
                if (TryTake(ref queued))
                {
                    await wait.CancelAsync();
                    Interlocked.Increment(ref handled);
                    await Task.Yield();
                    continue;
                }

                try
                {
                    await turn;
                    woken = true;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                finally
                {
                    if (!woken)
                    {
                        await wait.CancelAsync();
                    }
                }
            }
        })).ToArray();

        var enqueuers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < messages / 4; i++)
            {
                Interlocked.Increment(ref queued);
                signals.Notify(Queue);
                if (i % 64 == 0)
                {
                    await Task.Yield();
                }
            }
        })).ToArray();
        await Task.WhenAll(enqueuers);

        var started = TimeProvider.System.GetTimestamp();
        while (Volatile.Read(ref handled) < messages)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30),
                $"{messages - Volatile.Read(ref handled)} of {messages} messages were never handled: a wake-up was lost.");
            await Task.Delay(5);
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.Equal(0, Volatile.Read(ref queued));
    }

    private static bool TryTake(ref int queued)
    {
        var current = Volatile.Read(ref queued);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref queued, current - 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }
}
