using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Configuration;

/// <summary>The base every backend's <see cref="IStreamConfigurationStore"/> derives from: arguments are validated
/// once, before any I/O.</summary>
internal abstract class StreamConfigurationStoreBase : IStreamConfigurationStore
{
    /// <inheritdoc />
    public Task SetAsync(StreamConfiguration configuration, CancellationToken cancellationToken = default)
    {
        Argument.Configuration(configuration, nameof(configuration));
        return SetCoreAsync(configuration, cancellationToken);
    }

    /// <inheritdoc />
    public Task<StreamConfiguration?> GetAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        return GetCoreAsync(streamName, cancellationToken);
    }

    /// <summary>See <see cref="IStreamConfigurationStore.SetAsync"/>.</summary>
    /// <param name="configuration">A valid configuration.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the configuration is stored.</returns>
    protected abstract Task SetCoreAsync(StreamConfiguration configuration, CancellationToken cancellationToken);

    /// <summary>See <see cref="IStreamConfigurationStore.GetAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The configuration or null.</returns>
    protected abstract Task<StreamConfiguration?> GetCoreAsync(string streamName, CancellationToken cancellationToken);
}
