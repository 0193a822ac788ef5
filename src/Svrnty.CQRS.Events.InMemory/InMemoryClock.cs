namespace Svrnty.CQRS.Events.InMemory;

/// <summary>Reads the clock at PostgreSQL's precision (microseconds), so both backends report the same timestamps.</summary>
internal static class InMemoryClock
{
    public static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
