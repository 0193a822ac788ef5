using System.Net.Sockets;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Execution;

/// <summary>How the executor classifies PostgreSQL errors (docs/reliability.md).</summary>
internal static class TransientErrors
{
    /// <summary>Transient, and worth another attempt: not a timeout, which already used the operation's whole budget
    /// (an exhausted pool, a command timeout); a server that went away (57P01/57P02) counts, which Npgsql leaves out, and
    /// so does a statement sent to a server that is now a standby (25006, after a failover: nothing was written).</summary>
    public static bool IsTransient(NpgsqlException e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.ReadOnlySqlTransaction,
        _ => e.IsTransient && e.InnerException is not TimeoutException,
    };

    /// <summary>A connection could not be opened for a reason that may pass: <see cref="IsTransient"/>, or a multi-host
    /// connection string found no host that is (yet) the primary, as while a standby is being promoted.</summary>
    public static bool IsTransientAtOpen(NpgsqlException e) => IsTransient(e) || IsNoSuitableHost(e);

    /// <summary>Npgsql found no host matching <c>Target Session Attributes</c>: every host was down, or a standby. Npgsql
    /// says it in English only, without a code, and with the hosts' own errors inside when there were any.</summary>
    public static bool IsNoSuitableHost(NpgsqlException e) => e is not PostgresException
        && (e.InnerException is null && e.Message.StartsWith("No suitable host", StringComparison.Ordinal)
            || e.InnerException is AggregateException hosts && hosts.InnerExceptions.All(h => h is NpgsqlException n && IsTransient(n)));

    /// <summary>The error ends the connection (or never had one): the server is gone or unreachable, or it is no longer
    /// the primary, so the pool's idle connections likely died with it or point at the wrong server.</summary>
    public static bool BreaksConnection(NpgsqlException e) => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.ReadOnlySqlTransaction || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        _ => e.InnerException is IOException or SocketException || e.InnerException?.InnerException is SocketException,
    };
}
