using Svrnty.CQRS.Events.Abstractions;
using System.Collections.Concurrent;

namespace Svrnty.CQRS.Events.Consumers;

/// <summary>
/// Wake-up signals per name, of two kinds. <see cref="Next"/> is a broadcast: every waiter of a stream wakes at the
/// next <see cref="Notify"/>, since each reads the stream for itself. <see cref="NextOne"/> is a turn: a
/// <see cref="Notify"/> (one new queue message) wakes one such waiter only, the longest waiting, since one worker can
/// take the message. A waiter takes its task before it reads, so a change between its read and its wait is never
/// missed. Backends complete them from their own change source (an append or enqueue in memory, NOTIFY on PostgreSQL).
/// </summary>
internal sealed class ChangeSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedList<Turn>> _turns = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    /// <summary>The key of a stream's appends (also the PostgreSQL NOTIFY payload): <c>s</c> + the name.</summary>
    /// <param name="streamName">The stream.</param>
    /// <returns>The key.</returns>
    public static string StreamKey(string streamName) => "s" + streamName;

    /// <summary>The key of a queue's new visible messages (also the PostgreSQL NOTIFY payload): <c>q</c> + the name.</summary>
    /// <param name="queueName">The queue.</param>
    /// <returns>The key.</returns>
    public static string QueueKey(string queueName) => "q" + queueName;

    /// <summary>A task that completes at the next change of <paramref name="name"/>, together with every other waiter.</summary>
    /// <param name="name">The stream or queue key.</param>
    /// <returns>The task.</returns>
    public Task Next(string name) =>
        _signals.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// A task that completes when a change of <paramref name="name"/> is given to this waiter: each <see cref="Notify"/>
    /// wakes one waiter of the name (the longest waiting) and <see cref="NotifyAll"/> wakes them all. A notification
    /// with no waiter is not kept: whoever is not waiting reads before it next waits.
    /// </summary>
    /// <param name="name">The queue key.</param>
    /// <param name="withdraw">
    /// Cancel it when you stop waiting without acting on a wake-up (the poll interval passed, you found work elsewhere, you
    /// stop): a waiter not yet woken is removed and its task cancelled; a waiter already woken hands its wake-up to the
    /// next one, so a change is never swallowed by a waiter that does not read. Leave it uncancelled after you acted on
    /// the wake-up. Use a token of the wait's own (a linked source per wait), not a long-lived one.
    /// </param>
    /// <returns>The task.</returns>
    public Task NextOne(string name, CancellationToken withdraw)
    {
        if (withdraw.IsCancellationRequested)
        {
            return Task.FromCanceled(withdraw);
        }

        var turn = new Turn(name);
        lock (_sync)
        {
            if (!_turns.TryGetValue(name, out var waiting))
            {
                _turns[name] = waiting = new LinkedList<Turn>();
            }

            turn.Node = waiting.AddLast(turn);
        }

        _ = withdraw.UnsafeRegister(static (state, token) =>
        {
            var (signals, turn) = ((ChangeSignals, Turn))state!;
            signals.Withdraw(turn, token);
        }, (this, turn)); // released with the caller's token source; a woken waiter still needs it to hand its wake-up on
        return turn.Task;
    }

    /// <summary>Wakes every <see cref="Next"/> waiter of <paramref name="name"/> and one <see cref="NextOne"/> waiter.</summary>
    /// <param name="name">The stream or queue key.</param>
    public void Notify(string name)
    {
        if (_signals.TryRemove(name, out var signal))
        {
            signal.TrySetResult();
        }

        WakeOne(name);
    }

    /// <summary>Wakes the waiters of an append to <paramref name="streamName"/>: those of the stream itself and those of
    /// the log streams that include it (<see cref="LogStreams.All"/> and its category's log).</summary>
    /// <param name="streamName">The ordinary stream appended to.</param>
    public void NotifyAppended(string streamName)
    {
        Notify(StreamKey(streamName));
        if (streamName.Length > 0 && streamName[0] == LogStreams.ReservedPrefix)
        {
            return;
        }

        Notify(StreamKey(LogStreams.All));
        if (LogStreams.CategoryOf(streamName) is { } category)
        {
            Notify(StreamKey(LogStreams.CategoryPrefix + category));
        }
    }

    /// <summary>Wakes every waiter of every name (after a notification source was interrupted and changes may have been missed).</summary>
    public void NotifyAll()
    {
        foreach (var name in _signals.Keys)
        {
            if (_signals.TryRemove(name, out var signal))
            {
                signal.TrySetResult();
            }
        }

        List<Turn> woken = [];
        lock (_sync)
        {
            foreach (var waiting in _turns.Values)
            {
                foreach (var turn in waiting)
                {
                    turn.Node = null;
                    woken.Add(turn);
                }
            }

            _turns.Clear();
        }

        foreach (var turn in woken)
        {
            turn.TrySetResult();
        }
    }

    private void WakeOne(string name)
    {
        Turn? next = null;
        lock (_sync)
        {
            if (_turns.TryGetValue(name, out var waiting) && waiting.First is { } first)
            {
                next = first.Value;
                Remove(next);
            }
        }

        next?.TrySetResult();
    }

    private void Withdraw(Turn turn, CancellationToken token)
    {
        bool woken;
        lock (_sync)
        {
            woken = turn.Node is null;
            if (!woken)
            {
                Remove(turn);
            }
        }

        if (woken)
        {
            WakeOne(turn.Name); // it was given a change it will not act on: the next waiter gets it
        }
        else
        {
            turn.TrySetCanceled(token);
        }
    }

    /// <summary>Takes <paramref name="turn"/> out of its list; the caller holds <see cref="_sync"/>.</summary>
    private void Remove(Turn turn)
    {
        var node = turn.Node!;
        var waiting = node.List!;
        waiting.Remove(node);
        turn.Node = null;
        if (waiting.Count == 0)
        {
            _turns.Remove(turn.Name);
        }
    }

    /// <summary>One <see cref="NextOne"/> waiter; <see cref="Node"/> is null once it is woken or withdrawn.</summary>
    private sealed class Turn(string name) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Name { get; } = name;

        public LinkedListNode<Turn>? Node { get; set; }
    }
}
