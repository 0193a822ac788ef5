using System.Diagnostics;

namespace Svrnty.CQRS.Events.Diagnostics;

/// <summary>Runs a store operation inside a span and a duration measurement, when anyone listens; shared by the stream
/// and queue bases so every backend's operations are instrumented the same way.</summary>
internal static class ObservedCall
{
    public static Task<T> RunAsync<T>(EventStreamingTelemetry telemetry, string system, string operation, string name, ActivityKind kind,
        Func<Task<T>> call, Action<T, TagList>? onSuccess = null, string? eventId = null, string? correlationId = null, int batchSize = 1)
    {
        return telemetry.Enabled ? ObservedAsync() : call();

        async Task<T> ObservedAsync()
        {
            using var observed = new StoreOperation(telemetry, operation, name, system, kind);
            if (eventId is not null)
            {
                observed.Message(eventId, correlationId);
            }

            if (batchSize > 1)
            {
                observed.Activity?.SetTag("messaging.batch.message_count", batchSize);
            }

            try
            {
                var result = await call().ConfigureAwait(false);
                observed.Succeed();
                onSuccess?.Invoke(result, observed.Tags);
                return result;
            }
            catch (Exception e)
            {
                observed.Fail(e);
                throw;
            }
        }
    }
}
