namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>Options of the PostgreSQL backend.</summary>
public sealed class PostgresEventStreamingOptions
{
    /// <summary>The default of <see cref="SchemaName"/>.</summary>
    public const string DefaultSchemaName = "event_streaming";

    /// <summary>
    /// The Npgsql connection string. When null, the backend uses the <c>NpgsqlDataSource</c> the application registered
    /// (for example with <c>AddNpgsqlDataSource</c>).
    /// </summary>
    /// <value>Default: null.</value>
    public string? ConnectionString { get; set; }

    /// <summary>Whether pending schema migrations are applied by a hosted service at startup, before other hosted
    /// services start. When false, the first operation on an out-of-date schema fails with an error that says to run
    /// the migrations.</summary>
    /// <value>Default: true.</value>
    public bool AutoMigrate { get; set; } = true;

    /// <summary>Whether appends and enqueues send <c>NOTIFY</c> (channel: the schema name) so that subscriptions and
    /// consumers wake up at once. Turn it off behind a transaction-pooling proxy that does not pass notifications;
    /// consumers then rely on their poll interval.</summary>
    /// <value>Default: true.</value>
    public bool EnableNotifications { get; set; } = true;

    /// <summary>The PostgreSQL schema that holds the tables: 1 to 63 characters, lower-case letters, digits and
    /// underscores, not starting with a digit.</summary>
    /// <value>Default: <c>event_streaming</c>.</value>
    public string SchemaName { get; set; } = DefaultSchemaName;
}
