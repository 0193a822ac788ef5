using Microsoft.Extensions.Options;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>
/// The data sources of the backend and the quoted schema name. With <see cref="PostgresEventStreamingOptions.ConnectionString"/>
/// the backend creates (and disposes with the container) two data sources on it:
/// <list type="bullet">
/// <item><see cref="DataSource"/>, pooled, for the stores' statements. Each is one statement that leaves nothing behind
/// on its connection, so a connection goes back to the pool without Npgsql's reset (seven statements sent ahead of the
/// next command), and statements are prepared.</item>
/// <item><see cref="SessionDataSource"/>, unpooled, for the few connections that hold session state for a long time:
/// the LISTEN connection, consumer-group advisory locks, the migrator's lock. Closing one ends its session, so no
/// listener or lock can outlive its owner in the pool.</item>
/// </list>
/// Without a connection string, both are the application's own registered <see cref="NpgsqlDataSource"/>, used as it is
/// configured and left to the application.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>How many statements each connection of <see cref="DataSource"/> keeps prepared, unless the connection
    /// string sets <c>Max Auto Prepare</c> itself. Prepared, the server parses and plans each statement once per
    /// connection instead of once per call; Npgsql prepares a statement in the same round trip as its fifth execution on
    /// a connection.</summary>
    internal const int DefaultMaxAutoPrepare = 32;

    private readonly bool _owned;
    private readonly NpgsqlDataSource? _sessionDataSource;
    private readonly NpgsqlDataSource? _migrationDataSource;

    public PostgresDatabase(IOptions<PostgresEventStreamingOptions> options, IServiceProvider services)
    {
        var value = options.Value;
        if (value.ConnectionString is { } connectionString)
        {
            DataSource = CreateDataSource(connectionString);
            _sessionDataSource = CreateSessionDataSource(connectionString);
            _owned = true;
        }
        else
        {
            DataSource = (NpgsqlDataSource?)services.GetService(typeof(NpgsqlDataSource))
                ?? throw new InvalidOperationException("No NpgsqlDataSource is registered and no ConnectionString is set.");
        }

        if (value.MigrationConnectionString is { } migration)
        {
            _migrationDataSource = CreateSessionDataSource(migration);
        }

        SchemaName = value.SchemaName;
        Schema = $"\"{value.SchemaName}\"";
        NotificationChannel = value.EnableNotifications ? value.SchemaName : null;
    }

    /// <summary>The LISTEN/NOTIFY channel (the schema name), or null when notifications are off.</summary>
    public string? NotificationChannel { get; }

    /// <summary>For single statements that leave no session state behind.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>For connections that hold session state (LISTEN, advisory locks) until they are closed.</summary>
    public NpgsqlDataSource SessionDataSource => _sessionDataSource ?? DataSource;

    /// <summary>The data source migrations run on: the one of <see cref="PostgresEventStreamingOptions.MigrationConnectionString"/>
    /// when set, else <see cref="SessionDataSource"/>.</summary>
    public NpgsqlDataSource MigrationDataSource => _migrationDataSource ?? SessionDataSource;

    /// <summary>The schema name as configured (validated).</summary>
    public string SchemaName { get; }

    /// <summary>The schema name quoted as an SQL identifier, ready to splice into statements.</summary>
    public string Schema { get; }

    /// <summary>The pooled data source for the stores' statements: unless the connection string says otherwise,
    /// statements are prepared (<see cref="DefaultMaxAutoPrepare"/>) and a connection returns to the pool without a
    /// reset (<c>No Reset On Close</c>). <c>Max Auto Prepare=0</c> turns preparation off, for a proxy that cannot keep
    /// prepared statements (PgBouncer before 1.21 in transaction mode).</summary>
    internal static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        if (!Sets(connectionString, "MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!Sets(connectionString, "NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }

        return builder.Build();
    }

    /// <summary>
    /// An unpooled data source on the same server, for connections that hold session state (a consumer group's lock,
    /// the LISTEN connection, the migrator's lock). A silent network loss (a peer that vanishes without closing its
    /// socket) must not leave such a session behind for hours, so both ends probe an idle connection:
    /// <list type="bullet">
    /// <item>the client, unless the connection string sets <c>Tcp Keepalive</c>, <c>Tcp Keepalive Time</c> or
    /// <c>Tcp Keepalive Interval</c>: TCP keepalive after <see cref="KeepaliveIdleSeconds"/> s of silence, a probe
    /// every <see cref="KeepaliveIntervalSeconds"/> s (the count is the OS's: 9 on Linux, about 28 s in all);</item>
    /// <item>the server, unless the connection string's <c>Options</c> sets <c>tcp_keepalives_*</c>: each new session
    /// lowers its own <c>tcp_keepalives_idle</c>, <c>_interval</c> and <c>_count</c> to the same values (any role may;
    /// a server setting already lower is kept). PostgreSQL's defaults leave it to the OS, two hours on Linux, during
    /// which a vanished holder's advisory lock stays taken.</item>
    /// </list>
    /// </summary>
    internal static NpgsqlDataSource CreateSessionDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.Pooling = false;
        if (!Sets(connectionString, "TcpKeepalive") && !Sets(connectionString, "TcpKeepaliveTime") && !Sets(connectionString, "TcpKeepaliveInterval"))
        {
            settings.TcpKeepAlive = true;
            settings.TcpKeepAliveTime = KeepaliveIdleSeconds;
            settings.TcpKeepAliveInterval = KeepaliveIntervalSeconds;
        }

        if (settings.Options?.Contains("tcp_keepalives", StringComparison.OrdinalIgnoreCase) != true)
        {
            builder.UsePhysicalConnectionInitializer(
                connection =>
                {
                    using var command = new NpgsqlCommand(ServerKeepalives, connection);
                    command.ExecuteNonQuery();
                },
                async connection =>
                {
                    var command = new NpgsqlCommand(ServerKeepalives, connection);
                    await using (command.ConfigureAwait(false))
                    {
                        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                    }
                });
        }

        return builder.Build();
    }

    /// <summary>Seconds of silence before a session connection is probed (both ends).</summary>
    internal const int KeepaliveIdleSeconds = 10;

    /// <summary>Seconds between unanswered probes (both ends).</summary>
    internal const int KeepaliveIntervalSeconds = 2;

    /// <summary>Unanswered probes before the server ends the session.</summary>
    internal const int KeepaliveCount = 9;

    /// <summary>Lowers the server's keepalive settings of the session, keeping any already lower (0 = the OS default).</summary>
    private static readonly string ServerKeepalives = $"""
        SELECT set_config(k.name, k.value::text, false)
        FROM (VALUES ('tcp_keepalives_idle', {KeepaliveIdleSeconds}), ('tcp_keepalives_interval', {KeepaliveIntervalSeconds}),
                     ('tcp_keepalives_count', {KeepaliveCount})) AS k(name, value)
        WHERE current_setting(k.name)::int NOT BETWEEN 1 AND k.value
        """;

    /// <summary>Whether the connection string sets <paramref name="keyword"/> (compared without spaces or case).</summary>
    private static bool Sets(string connectionString, string keyword)
    {
        var keys = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys;
        foreach (string key in keys)
        {
            if (string.Equals(key.Replace(" ", "", StringComparison.Ordinal), keyword, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_migrationDataSource is not null)
        {
            await _migrationDataSource.DisposeAsync().ConfigureAwait(false);
        }

        if (_owned)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
            await _sessionDataSource!.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _migrationDataSource?.Dispose();
        if (_owned)
        {
            DataSource.Dispose();
            _sessionDataSource!.Dispose();
        }
    }
}
