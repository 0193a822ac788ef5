namespace Svrnty.CQRS.Events.DocsSnippets.ObservabilityPage;

/// <summary>The code of docs/observability.md, compiled (with the OpenTelemetry.Extensions.Hosting package).</summary>
public static class ObservabilitySnippets
{
    public static void Register(WebApplicationBuilder builder)
    {
        #region observability-register
        builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddMeter("Svrnty.CQRS.Events"))
            .WithTracing(t => t.AddSource("Svrnty.CQRS.Events"));

        builder.Services.ConfigureEventStreamingTelemetry(o =>
        {
            o.MonitoredQueues.Add("emails");                       // gauges for this queue
            o.MonitoredConsumerGroups.Add(("orders", "billing"));  // a lag gauge for this group
        });

        builder.Services.AddHealthChecks().AddEventStreaming(o => o.MaxConsumerLag = 5_000); // package Svrnty.CQRS.Events.HealthChecks
        #endregion
    }
}
