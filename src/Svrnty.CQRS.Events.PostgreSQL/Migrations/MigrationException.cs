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
}
