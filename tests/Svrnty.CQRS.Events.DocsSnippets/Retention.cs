#region retention-usings
using Svrnty.CQRS.Events.Abstractions; // RetentionPolicy
#endregion

namespace Svrnty.CQRS.Events.DocsSnippets.RetentionPage;

/// <summary>The code of docs/retention.md, compiled.</summary>
public static class RetentionSnippets
{
    public static void Register(WebApplicationBuilder builder, string connectionString)
    {
        #region retention-register
        builder.Services.AddPostgresEventStreaming(connectionString);   // or AddInMemoryEventStorage()
        builder.Services.AddEventStreamRetention(o =>
        {
            o.AddRetentionPolicy("audit", maxAge: TimeSpan.FromDays(90));
            o.AddRetentionPolicy("orders-*", maxAge: TimeSpan.FromDays(30), maxEventCount: 10_000);
            o.AddRetentionPolicy(new RetentionPolicy { StreamName = "telemetry", MaxEventCount = 1_000_000 });
            o.Interval = TimeSpan.FromMinutes(5);          // default
            o.BatchSize = 1_000;                           // default; 1 to 10,000 events per delete statement
            o.DeadLetterMaxAge = TimeSpan.FromDays(14);    // default; null keeps dead letters
        });
        #endregion
    }
}
