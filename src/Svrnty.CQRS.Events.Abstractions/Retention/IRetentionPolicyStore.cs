namespace Svrnty.CQRS.Events.Abstractions;

/// <summary>Retention policies of streams: how old and how many events a stream keeps.</summary>
public interface IRetentionPolicyStore
{
    /// <summary>Creates or replaces a stream's retention policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task SetAsync(RetentionPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>Reads a stream's retention policy.</summary>
    /// <param name="streamName">The stream (or stream-name pattern) the policy was set for.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The policy, or null when none was set.</returns>
    Task<RetentionPolicy?> GetAsync(string streamName, CancellationToken cancellationToken = default);

    /// <summary>Lists every retention policy.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The policies, ordered by stream name.</returns>
    Task<IReadOnlyList<RetentionPolicy>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a stream's retention policy.</summary>
    /// <param name="streamName">The stream (or stream-name pattern) the policy was set for.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when a policy existed and was deleted.</returns>
    Task<bool> DeleteAsync(string streamName, CancellationToken cancellationToken = default);
}
