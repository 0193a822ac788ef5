namespace Svrnty.CQRS.Events.DocsSnippets;

/// <summary>Polls a condition until it holds or a deadline passes (hosted consumers run in the background).</summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string what) => TrueAsync(() => Task.FromResult(condition()), what);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Not within 10 s: {what}.");
            }

            await Task.Delay(20);
        }
    }
}
