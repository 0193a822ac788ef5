using System.Diagnostics;

namespace Svrnty.CQRS.Events.Diagnostics;

/// <summary>The trace context stored with events, so consumers continue the producer's trace.</summary>
internal static class TraceContext
{
    /// <summary>The W3C <c>traceparent</c> of the current activity (the store operation's span, or the caller's), or
    /// null outside a trace. Backends store it with appended and enqueued events.</summary>
    public static string? Current => Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>Parses a stored <c>traceparent</c>.</summary>
    /// <param name="traceParent">The stored value, or null.</param>
    /// <returns>The context, or default when there is none or it does not parse.</returns>
    public static ActivityContext Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
