using Microsoft.Extensions.Options;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>
/// The one <see cref="NpgsqlDataSource"/> the stores and the migrator share, and the quoted schema name. The data source
/// is created from <see cref="PostgresEventStreamingOptions.ConnectionString"/> (and disposed with the container) or
/// borrowed from the application's own registration (and left to it).
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private readonly bool _owned;
    private readonly NpgsqlDataSource? _migrationDataSource;

    public PostgresDatabase(IOptions<PostgresEventStreamingOptions> options, IServiceProvider services)
    {
        var value = options.Value;
        if (value.ConnectionString is { } connectionString)
        {
            DataSource = CreateDataSource(connectionString);
            _owned = true;
        }
        else
        {
            DataSource = (NpgsqlDataSource?)services.GetService(typeof(NpgsqlDataSource))
                ?? throw new InvalidOperationException("No NpgsqlDataSource is registered and no ConnectionString is set.");
        }

        if (value.MigrationConnectionString is { } migration)
        {
            _migrationDataSource = CreateDataSource(migration);
        }

        SchemaName = value.SchemaName;
        Schema = $"\"{value.SchemaName}\"";
        NotificationChannel = value.EnableNotifications ? value.SchemaName : null;
    }

    /// <summary>How many statements each connection of a data source the backend creates keeps prepared, unless the
    /// connection string sets <c>Max Auto Prepare</c> itself. The stores run a dozen statements, over and over: prepared,
    /// the server parses and plans each once per connection instead of once per call (a single append costs half as
    /// much). Npgsql prepares a statement in the same round trip as its fifth execution on a connection.</summary>
    internal const int DefaultMaxAutoPrepare = 32;

    /// <summary>The LISTEN/NOTIFY channel (the schema name), or null when notifications are off.</summary>
    public string? NotificationChannel { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The data source migrations run on: the one of <see cref="PostgresEventStreamingOptions.MigrationConnectionString"/>
    /// when set, else <see cref="DataSource"/>.</summary>
    public NpgsqlDataSource MigrationDataSource => _migrationDataSource ?? DataSource;

    /// <summary>The schema name as configured (validated).</summary>
    public string SchemaName { get; }

    /// <summary>The schema name quoted as an SQL identifier, ready to splice into statements.</summary>
    public string Schema { get; }

    /// <summary>A data source for <paramref name="connectionString"/>, with automatic preparation on (see
    /// <see cref="DefaultMaxAutoPrepare"/>) when the connection string does not say otherwise. <c>Max Auto Prepare=0</c>
    /// turns it off, for a proxy that does not support prepared statements (PgBouncer before 1.21 in transaction mode).</summary>
    internal static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!SetsMaxAutoPrepare(connectionString))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        return builder.Build();
    }

    private static bool SetsMaxAutoPrepare(string connectionString)
    {
        var keys = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys;
        foreach (string key in keys)
        {
            if (string.Equals(key.Replace(" ", "", StringComparison.Ordinal), "MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
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
        }
    }

    public void Dispose()
    {
        _migrationDataSource?.Dispose();
        if (_owned)
        {
            DataSource.Dispose();
        }
    }
}
