namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>Options of the PostgreSQL backend.</summary>
public sealed class PostgresEventStreamingOptions
{
    /// <summary>The default of <see cref="SchemaName"/>.</summary>
    public const string DefaultSchemaName = "event_streaming";

    /// <summary>
    /// The Npgsql connection string. When null, the backend uses the <c>NpgsqlDataSource</c> the application registered
    /// (for example with <c>AddNpgsqlDataSource</c>). The pool created from it for the stores prepares their statements
    /// and skips Npgsql's per-use connection reset (<c>Max Auto Prepare=32</c>, <c>No Reset On Close=true</c>) unless
    /// the string sets those keywords itself; set <c>Max Auto Prepare=0</c> behind a proxy that cannot keep prepared
    /// statements (PgBouncer before 1.21 in transaction mode). Listeners and locks use unpooled connections.
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

    /// <summary>
    /// Whether the events' payloads get a GIN index, for applications that query payloads in SQL with containment:
    /// <c>SELECT ... FROM event_streaming.events WHERE data::jsonb @&gt; '{"customerId":"c-1"}'</c> (the expression must be
    /// <c>data::jsonb</c> for the index to serve it). The library itself never queries payloads, and the index is the
    /// largest cost of a batch append, so it is off by default. With <see cref="AutoMigrate"/>, the migrations at startup
    /// build it when this is true and drop it when this is false, both <c>CONCURRENTLY</c>: appends and reads go on while
    /// it builds (on a large table, for minutes). Without, a DBA runs the statement
    /// <see cref="Migrations.DatabaseMigrator.GenerateScript"/> ends with (docs/postgresql.md).
    /// </summary>
    /// <value>Default: false.</value>
    public bool EnablePayloadIndex { get; set; }

    /// <summary>The PostgreSQL schema that holds the tables: 1 to 63 characters, lower-case letters, digits and
    /// underscores, not starting with a digit.</summary>
    /// <value>Default: <c>event_streaming</c>.</value>
    public string SchemaName { get; set; } = DefaultSchemaName;

    /// <summary>
    /// A connection string used only to apply migrations (by <see cref="Migrations.DatabaseMigrator"/> and the
    /// migration hosted service), for a role that may create and alter the schema, so that the application itself can
    /// run with <see cref="ConnectionString"/> as a role that can read and write the tables but not change them. See
    /// docs/reliability.md for the privileges each role needs.
    /// </summary>
    /// <value>Default: null: migrations use the backend's unpooled session connections on <see cref="ConnectionString"/> (or the application's data source).</value>
    public string? MigrationConnectionString { get; set; }

    /// <summary>How operations that are safe to repeat are retried after a transient PostgreSQL error (a dropped
    /// connection, a server restarting, a standby being promoted).</summary>
    /// <value>Default: for up to 15 s, 100 ms doubling up to 2 s between attempts.</value>
    public PostgresRetryOptions Retry { get; set; } = new();

    /// <summary>
    /// How long the migrator waits for a lock: the migration lock while another instance migrates the same schema (it
    /// then fails with a <see cref="Migrations.MigrationException"/> that names the session holding the lock, its process
    /// id and application name), and, as the session's <c>lock_timeout</c>, each table lock a migration script needs
    /// (so that a migration waiting behind a long transaction fails instead of holding the migration lock, and blocking
    /// every reader of the table behind it, indefinitely).
    /// </summary>
    /// <value>Default: 1 minute. From 1 s to 1 hour.</value>
    public TimeSpan MigrationLockTimeout { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The built-in retry of the PostgreSQL backend: after a transient error, an operation that is safe to repeat is tried
/// again, with exponential backoff and jitter, until it succeeds or <see cref="MaxDuration"/> has passed since it
/// started. Safe to repeat: appends (an event whose <c>EventId</c> is already in the stream is not appended again, so a
/// retried append that had in fact committed returns the same offset), reads, lengths and metadata, acknowledgements,
/// negative acknowledgements, lease extensions and consumer-offset commits and reads. Enqueues, dequeues and batches
/// with queue operations are retried only when the connection could not be opened (nothing was sent): a retried dequeue
/// could lease a second message while the first lease, taken by an attempt whose reply was lost, holds its message until
/// the visibility timeout; a retried enqueue could add again a message that a consumer had already taken and
/// acknowledged. Timeouts (an exhausted pool, a command timeout) are never retried: the operation already waited its
/// whole budget. A commit that no synchronous standby confirmed is never retried either
/// (<see cref="EventStoreDurabilityUnconfirmedException"/>). docs/reliability.md says, per operation, what an error after
/// the budget means.
/// </summary>
public sealed class PostgresRetryOptions
{
    /// <summary>How long an operation keeps retrying after its first attempt failed with a transient error: long enough
    /// for a fast restart (0.5 to 3 s) and for a standby's promotion (a few seconds), short enough that a caller hears
    /// of an outage. <see cref="TimeSpan.Zero"/> turns retries off.</summary>
    /// <value>Default: 15 s. From zero to 5 minutes.</value>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The delay before the first retry; it doubles for each further one, with random jitter of up to half the
    /// delay, up to <see cref="MaxDelay"/> (and never past <see cref="MaxDuration"/>).</summary>
    /// <value>Default: 100 ms.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two attempts.</summary>
    /// <value>Default: 2 s. At least <see cref="BaseDelay"/>, at most 1 minute.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(2);
}
