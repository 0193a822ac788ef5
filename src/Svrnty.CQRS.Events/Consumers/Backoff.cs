namespace Svrnty.CQRS.Events.Consumers;

/// <summary>Retry delays of the hosted consumers.</summary>
internal static class Backoff
{
    /// <summary>The delay after failed attempt <paramref name="attempt"/> (1-based): doubling from <paramref name="first"/>,
    /// capped at <paramref name="max"/>. Computed in doubles, so a large attempt number reaches the cap instead of
    /// overflowing <see cref="TimeSpan"/>.</summary>
    public static TimeSpan Delay(TimeSpan first, TimeSpan max, int attempt)
    {
        var ticks = first.Ticks * Math.Pow(2, attempt - 1);
        return ticks < max.Ticks ? TimeSpan.FromTicks((long)ticks) : max;
    }
}
