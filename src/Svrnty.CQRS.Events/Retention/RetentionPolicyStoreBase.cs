using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.Retention;

/// <summary>The base every backend's <see cref="IRetentionPolicyStore"/> derives from: arguments are validated once,
/// before any I/O.</summary>
internal abstract class RetentionPolicyStoreBase : IRetentionPolicyStore
{
    /// <inheritdoc />
    public Task SetAsync(RetentionPolicy policy, CancellationToken cancellationToken = default)
    {
        Argument.Policy(policy, nameof(policy));
        return SetCoreAsync(policy, cancellationToken);
    }

    /// <inheritdoc />
    public Task<RetentionPolicy?> GetAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        return GetCoreAsync(streamName, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RetentionPolicy>> ListAsync(CancellationToken cancellationToken = default) =>
        ListCoreAsync(cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string streamName, CancellationToken cancellationToken = default)
    {
        Argument.WritableName(streamName, nameof(streamName));
        return DeleteCoreAsync(streamName, cancellationToken);
    }

    /// <summary>See <see cref="IRetentionPolicyStore.SetAsync"/>.</summary>
    /// <param name="policy">A valid policy.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the policy is stored.</returns>
    protected abstract Task SetCoreAsync(RetentionPolicy policy, CancellationToken cancellationToken);

    /// <summary>See <see cref="IRetentionPolicyStore.GetAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The policy or null.</returns>
    protected abstract Task<RetentionPolicy?> GetCoreAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>See <see cref="IRetentionPolicyStore.ListAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The policies ordered by stream name.</returns>
    protected abstract Task<IReadOnlyList<RetentionPolicy>> ListCoreAsync(CancellationToken cancellationToken);

    /// <summary>See <see cref="IRetentionPolicyStore.DeleteAsync"/>.</summary>
    /// <param name="streamName">A valid stream name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether a policy was deleted.</returns>
    protected abstract Task<bool> DeleteCoreAsync(string streamName, CancellationToken cancellationToken);
}
