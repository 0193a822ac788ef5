namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Per-queue settings such as <see cref="StreamConfiguration.MaxDeliveryAttempts"/>.</summary>
public interface IStreamConfigurationStore
{
    /// <summary>Creates or replaces a stream's configuration.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task SetAsync(StreamConfiguration configuration, CancellationToken cancellationToken = default);

    /// <summary>Reads a stream's configuration.</summary>
    /// <param name="streamName">The stream.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The configuration, or null when none was set (the defaults of <see cref="StreamConfiguration"/> apply).</returns>
    Task<StreamConfiguration?> GetAsync(string streamName, CancellationToken cancellationToken = default);
}
