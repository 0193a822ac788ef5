namespace Svrnty.CQRS.Events.Diagnostics;

/// <summary>Backend service: whether the store is reachable and its schema current, for health checks.</summary>
internal interface IEventStoreHealthProbe
{
    /// <summary>Probes the store in one round trip.</summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>What was found.</returns>
    Task<EventStoreHealth> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>The result of an <see cref="IEventStoreHealthProbe"/>.</summary>
/// <param name="Reachable">Whether the store answered.</param>
/// <param name="SchemaCurrent">Whether the schema is at the version the library needs (true for stores without one).</param>
/// <param name="Description">What was found, without secrets (no connection strings).</param>
/// <param name="Data">Details for the health report, e.g. schema versions.</param>
internal sealed record EventStoreHealth(bool Reachable, bool SchemaCurrent, string Description, IReadOnlyDictionary<string, object> Data);
