using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL.Migrations;

/// <summary>A schema migration failed, or the schema is not at the version this library needs.</summary>
public sealed class MigrationException : EventStreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    public MigrationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The PostgreSQL error.</param>
    public MigrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>When the migrator timed out waiting for the migration lock: the process id (<c>pg_stat_activity.pid</c>)
    /// of the session that held it; otherwise null.</summary>
    public int? HolderProcessId { get; internal init; }

    /// <summary>When the migrator timed out waiting for the migration lock: the <c>application_name</c> of the session
    /// that held it; otherwise null.</summary>
    public string? HolderApplicationName { get; internal init; }
}
