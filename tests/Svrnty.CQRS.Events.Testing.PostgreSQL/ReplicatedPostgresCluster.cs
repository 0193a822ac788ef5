using Npgsql;

namespace Svrnty.CQRS.Events.Testing;

/// <summary>
/// A primary and a streaming standby on loopback ports, for failover tests: two <see cref="LocalPostgresCluster"/>s, the
/// standby built from the primary with <c>pg_basebackup -R</c>. <see cref="ConnectionString"/> names both hosts with
/// <c>Target Session Attributes=primary</c>, as an application facing a failover would, so the same connection string
/// reaches whichever server is the primary. Synchronous replication (<c>synchronous_standby_names</c> naming the standby,
/// <c>synchronous_commit=on</c>) makes every acknowledged commit wait for the standby; asynchronous replication does not.
/// Disposing it stops both servers and removes their files.
/// </summary>
public sealed class ReplicatedPostgresCluster : IAsyncDisposable
{
    /// <summary>The standby's name (<c>cluster_name</c>, hence <c>application_name</c> of its replication connection).</summary>
    public const string StandbyName = "svrnty_standby";

    private ReplicatedPostgresCluster(LocalPostgresCluster primary, LocalPostgresCluster standby, bool synchronous)
    {
        Primary = primary;
        Standby = standby;
        Synchronous = synchronous;
    }

    /// <summary>The server that is the primary at the start.</summary>
    public LocalPostgresCluster Primary { get; }

    /// <summary>The streaming standby, promoted by a test with <see cref="LocalPostgresCluster.PromoteAsync"/>.</summary>
    public LocalPostgresCluster Standby { get; }

    /// <summary>Whether commits wait for the standby.</summary>
    public bool Synchronous { get; }

    /// <summary>Both hosts, primary first, with <c>Target Session Attributes=primary</c> and <c>Host Recheck Seconds=1</c>
    /// (Npgsql otherwise remembers for 10 s that the promoted server was a standby), a short connection timeout, and
    /// the <c>postgres</c> superuser on the <c>postgres</c> database.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = $"127.0.0.1:{Primary.Port},127.0.0.1:{Standby.Port}",
        Username = "postgres",
        Database = "postgres",
        TargetSessionAttributes = "primary",
        HostRecheckSeconds = 1,
        Timeout = 3,
        MaxPoolSize = 30,
    }.ConnectionString;

    /// <summary>A connection string to one of the two servers only.</summary>
    /// <param name="server">The server.</param>
    public static string ConnectionStringOf(LocalPostgresCluster server) =>
        new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false, Timeout = 3 }.ConnectionString;

    /// <summary>Starts a primary, builds a standby from it, and waits until the standby streams (and, when
    /// <paramref name="synchronous"/>, is the primary's synchronous standby).</summary>
    /// <param name="synchronous">Whether commits wait for the standby.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<ReplicatedPostgresCluster> StartAsync(bool synchronous, CancellationToken cancellationToken = default)
    {
        var bin = LocalPostgresCluster.FindBinaries() ?? throw new InvalidOperationException(
            "The failover tests build a primary and a standby of their own, so they need PostgreSQL's server binaries (initdb, pg_ctl, " +
            "pg_basebackup) on PATH or under /usr/lib/postgresql/*/bin. Install them (Debian: apt-get install postgresql).");
        var settings = new Dictionary<string, string>(LocalPostgresCluster.DefaultSettings)
        {
            ["synchronous_commit"] = "on",
            ["max_connections"] = "100",
            ["shared_buffers"] = "32MB",
            ["wal_level"] = "replica",
            ["max_wal_senders"] = "5",
            ["wal_keep_size"] = "64MB",
        };
        if (synchronous)
        {
            settings["synchronous_standby_names"] = StandbyName;
        }

        var primary = await LocalPostgresCluster.StartAsync(bin, settings, cancellationToken).ConfigureAwait(false);
        LocalPostgresCluster? standby = null;
        try
        {
            // The standby's own settings: it has no standby of its own, so once promoted it commits without waiting.
            var standbySettings = new Dictionary<string, string>(settings);
            standbySettings.Remove("synchronous_standby_names");
            standby = await primary.StartStandbyAsync(StandbyName, standbySettings, cancellationToken).ConfigureAwait(false);
            var cluster = new ReplicatedPostgresCluster(primary, standby, synchronous);
            await cluster.UntilStreamingAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            standby?.Stop();
            primary.Stop();
            throw;
        }
    }

    private async Task UntilStreamingAsync(CancellationToken cancellationToken)
    {
        var expected = Synchronous ? "sync" : "async";
        await using var connection = new NpgsqlConnection(ConnectionStringOf(Primary));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming' AND sync_state = $2", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = StandbyName });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = expected });
            if ((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0)
            {
                return;
            }

            if (attempt > 300)
            {
                throw new InvalidOperationException($"The standby did not start streaming ({expected}) from the primary within 30 s.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false); // polling the server's state, not synchronising threads
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Standby.Stop();
        Primary.Stop();
        return ValueTask.CompletedTask;
    }
}
