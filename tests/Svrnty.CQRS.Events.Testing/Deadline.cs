using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Svrnty.CQRS.Events.Testing;

/// <summary>
/// How long a test waits for an outcome, and the one way to poll for it: on the real clock (a test's
/// <c>FakeTimeProvider</c> is moved by <c>eachTry</c>, never read here), every <see cref="PollInterval"/>, failing with
/// what was awaited and the last value seen. Never a fixed sleep.
/// </summary>
public static class Deadline
{
    /// <summary>How long a test waits for an outcome before it fails: generous (CI on two shared cores), since a
    /// passing test never reaches it.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    /// <summary>The pause between two reads.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Reads <paramref name="read"/> until <paramref name="done"/> accepts the value, and returns that value.
    /// Fails, naming <paramref name="what"/> and the last value read, when <paramref name="within"/> (default
    /// <see cref="Default"/>) has passed.</summary>
    /// <param name="read">Reads the current state; an exception it throws fails the test at once.</param>
    /// <param name="done">Whether the value read is the awaited one.</param>
    /// <param name="what">What is awaited, for the failure message ("the message is acknowledged").</param>
    /// <param name="eachTry">Runs after each read that is not yet done, e.g. to move a fake clock on.</param>
    /// <param name="within">A longer deadline for a test whose workload needs one (a soak); default <see cref="Default"/>.</param>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, Action? eachTry = null, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = within ?? Default;
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var last = await read();
            if (done(last))
            {
                return last;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > deadline)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"Not within {deadline.TotalSeconds:0.#} s ({elapsed.TotalSeconds:0.#} s waited): {what}. Last seen: {Describe(last)}."));
            }

            eachTry?.Invoke();
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> at the deadline.
    /// Prefer the overload that reads a value when there is one to show in the failure.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, Action? eachTry = null, TimeSpan? within = null) =>
        UntilAsync(condition, holds => holds, what, eachTry, within);

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, string, Action?, TimeSpan?)"/>
    public static Task UntilAsync(Func<bool> condition, string what, Action? eachTry = null, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), holds => holds, what, eachTry, within);
    }

    private static string Describe<T>(T value)
    {
        try
        {
            return JsonSerializer.Serialize(value);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException)
        {
            return value?.ToString() ?? "null";
        }
    }
}
