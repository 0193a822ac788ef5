namespace Svrnty.CQRS.Events.DocsSnippets.ReliabilityPage;

/// <summary>The code of docs/reliability.md, compiled.</summary>
public static class ReliabilitySnippets
{
    public static void Retry(IServiceCollection services)
    {
        #region reliability-retry
        services.AddPostgresEventStreaming(options =>
        {
            options.ConnectionString = "...";
            options.Retry.MaxDuration = TimeSpan.FromSeconds(15);     // how long to keep retrying; zero = no retry
            options.Retry.BaseDelay = TimeSpan.FromMilliseconds(100); // doubles per retry, with jitter of up to half
            options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        });
        #endregion
    }

    public static void TwoRoles(IServiceCollection services, WebApplicationBuilder builder)
    {
        #region reliability-two-roles
        services.AddPostgresEventStreaming(options =>
        {
            options.ConnectionString = builder.Configuration.GetConnectionString("Events");           // role app
            options.MigrationConnectionString = builder.Configuration.GetConnectionString("EventsDdl"); // role event_streaming_owner
        });
        #endregion
    }
}
