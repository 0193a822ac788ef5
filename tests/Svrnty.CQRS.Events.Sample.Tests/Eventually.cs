namespace Svrnty.CQRS.Events.Sample.Tests;

/// <summary>Polls until a condition holds or a deadline passes: the consumers run in the background.</summary>
public static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>Reads <paramref name="read"/> until <paramref name="done"/> accepts its value, and returns that value;
    /// fails with <paramref name="what"/> and the last value read when the deadline passes.</summary>
    public static async Task<T> MatchesAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        T last;
        while (true)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            try
            {
                await Task.Delay(25, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new Xunit.Sdk.XunitException($"Within {Deadline}: {what}. Last seen: {System.Text.Json.JsonSerializer.Serialize(last)}");
    }
}
