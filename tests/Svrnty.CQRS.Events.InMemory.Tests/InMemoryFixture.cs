using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.ContractTests;

namespace Svrnty.CQRS.Events.InMemory.Tests;

/// <summary>
/// The in-memory backend, registered as an application registers it. Every service provider the fixture builds shares
/// one storage, as app instances share one database, so multi-instance tests (consumer failover) mean the same here.
/// </summary>
public sealed class InMemoryFixture : EventStoreFixture
{
    private readonly InMemoryEventStorage _storage = new();

    protected override void AddBackend(IServiceCollection services)
    {
        services.AddSingleton(_storage);
        services.AddInMemoryEventStorage();
    }
}
