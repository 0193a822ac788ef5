using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Retention;

namespace Svrnty.CQRS.Events.InMemory.Retention;

/// <summary>The in-memory <see cref="IRetentionPolicyStore"/>.</summary>
internal sealed class InMemoryRetentionPolicyStore(InMemoryEventStorage storage) : RetentionPolicyStoreBase
{
    protected override Task SetCoreAsync(RetentionPolicy policy, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        storage.RetentionPolicies[policy.StreamName] = policy;
        return Task.CompletedTask;
    }

    protected override Task<RetentionPolicy?> GetCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(storage.RetentionPolicies.GetValueOrDefault(streamName));
    }

    protected override Task<IReadOnlyList<RetentionPolicy>> ListCoreAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<RetentionPolicy> policies = storage.RetentionPolicies.Values.OrderBy(p => p.StreamName, StringComparer.Ordinal).ToArray();
        return Task.FromResult(policies);
    }

    protected override Task<bool> DeleteCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(storage.RetentionPolicies.TryRemove(streamName, out _));
    }
}
