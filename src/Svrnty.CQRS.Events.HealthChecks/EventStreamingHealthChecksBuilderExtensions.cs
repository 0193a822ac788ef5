using Microsoft.Extensions.Diagnostics.HealthChecks;
using Svrnty.CQRS.Events.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the event-streaming health check.</summary>
public static class EventStreamingHealthChecksBuilderExtensions
{
    /// <summary>The default name of the check.</summary>
    public const string DefaultName = "event-streaming";

    /// <summary>
    /// Adds a check that is Unhealthy when the store is unreachable or its schema is out of date, and Degraded when a
    /// watched consumer group lags or a watched queue holds dead letters beyond the thresholds. Register a backend too.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the thresholds; see <see cref="EventStreamingHealthCheckOptions"/> for defaults.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status reported when the store is unreachable or out of date; default Unhealthy.</param>
    /// <param name="tags">Tags to filter checks by, e.g. <c>ready</c>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddEventStreaming(this IHealthChecksBuilder builder, Action<EventStreamingHealthCheckOptions>? configure = null,
        string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddEventStreamingCore();
        var options = builder.Services.AddOptions<EventStreamingHealthCheckOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.Add(new HealthCheckRegistration(name,
            sp => ActivatorUtilities.CreateInstance<EventStreamingHealthCheck>(sp), failureStatus, tags));
    }
}
