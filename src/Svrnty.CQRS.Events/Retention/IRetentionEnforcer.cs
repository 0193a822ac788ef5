namespace Svrnty.CQRS.Events.Retention;

/// <summary>
/// Applies the retention policies now: trims every stream a policy covers and deletes old dead letters. The hosted
/// service registered by <c>AddEventStreamRetention</c> calls it on its interval; operators and tests can call it on
/// demand. Runs in one process never overlap (a second call waits for the first).
/// </summary>
public interface IRetentionEnforcer
{
    /// <summary>Runs retention once.</summary>
    /// <param name="cancellationToken">Cancels the run between two batches; what was deleted stays deleted.</param>
    /// <returns>What was deleted, per stream and per dead-letter queue.</returns>
    Task<RetentionResult> EnforceAsync(CancellationToken cancellationToken = default);
}
