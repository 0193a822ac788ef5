using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.InMemory;

/// <summary>The in-memory store is always reachable and has no schema.</summary>
internal sealed class InMemoryHealthProbe : IEventStoreHealthProbe
{
    public Task<EventStoreHealth> ProbeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new EventStoreHealth(true, true, "In-memory event storage.", new Dictionary<string, object>()));
}
