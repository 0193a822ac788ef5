namespace Svrnty.CQRS.Events.DocsSnippets.PostgresqlPage;

/// <summary>The code of docs/postgresql.md, compiled.</summary>
public static class PostgresqlSnippets
{
    public static void Register(WebApplicationBuilder builder)
    {
        #region postgresql-register
        builder.Services.AddPostgresEventStreaming(options =>
        {
            options.ConnectionString = builder.Configuration.GetConnectionString("EventStreaming");
            options.SchemaName = "event_streaming"; // default; lower-case letters, digits, underscores
            options.AutoMigrate = true;             // default; see MIGRATION-GUIDE.md
        });
        #endregion
    }

    public static void PayloadIndex(WebApplicationBuilder builder)
    {
        #region postgresql-payload-index
        builder.Services.AddPostgresEventStreaming(options =>
        {
            options.ConnectionString = builder.Configuration.GetConnectionString("EventStreaming");
            options.EnablePayloadIndex = true; // GIN index on data::jsonb, built CONCURRENTLY at startup
        });
        #endregion
    }
}
