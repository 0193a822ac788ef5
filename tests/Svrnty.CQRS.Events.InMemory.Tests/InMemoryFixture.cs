using Microsoft.Extensions.DependencyInjection;
using Svrnty.CQRS.Events.ContractTests;

namespace Svrnty.CQRS.Events.InMemory.Tests;

/// <summary>The in-memory backend, registered as an application registers it.</summary>
public sealed class InMemoryFixture : EventStoreFixture
{
    protected override void AddBackend(IServiceCollection services) => services.AddInMemoryEventStorage();
}
