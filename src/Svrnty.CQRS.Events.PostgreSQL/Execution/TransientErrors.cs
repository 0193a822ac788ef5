using System.Net.Sockets;
using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Execution;

/// <summary>How the executor classifies PostgreSQL errors (docs/reliability.md).</summary>
internal static class TransientErrors
{
    /// <summary>Transient, and worth another attempt: not a timeout, which already used the operation's whole budget
    /// (an exhausted pool, a command timeout), and a server that went away (57P01/57P02) counts, which Npgsql leaves out.</summary>
    public static bool IsTransient(NpgsqlException e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown,
        _ => e.IsTransient && e.InnerException is not TimeoutException,
    };

    /// <summary>The error ends the connection (or never had one): the server is gone or unreachable, so the pool's idle
    /// connections likely died with it.</summary>
    public static bool BreaksConnection(NpgsqlException e) => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        _ => e.InnerException is IOException or SocketException || e.InnerException?.InnerException is SocketException,
    };
}
