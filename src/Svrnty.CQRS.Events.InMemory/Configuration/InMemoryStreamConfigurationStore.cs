using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Configuration;

namespace Svrnty.CQRS.Events.InMemory.Configuration;

/// <summary>The in-memory <see cref="IStreamConfigurationStore"/>.</summary>
internal sealed class InMemoryStreamConfigurationStore(InMemoryEventStorage storage) : StreamConfigurationStoreBase
{
    protected override Task SetCoreAsync(StreamConfiguration configuration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        storage.Configurations[configuration.StreamName] = configuration;
        return Task.CompletedTask;
    }

    protected override Task<StreamConfiguration?> GetCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(storage.Configurations.GetValueOrDefault(streamName));
    }
}
