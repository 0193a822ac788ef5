using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL;

/// <summary>
/// PostgreSQL refused an operation because the application's role lacks a privilege on the event-streaming schema or
/// one of its objects (SQLSTATE <c>42501</c>, <c>insufficient_privilege</c>). The message names the role, the object and
/// the grant it needs, and points to <c>svrnty-events grants</c>, which prints the least-privilege grants for the role
/// (MIGRATION-GUIDE.md, "Manual migrations by a DBA"). The PostgreSQL error is the inner exception. Operations are not
/// retried after it: nothing was written.
/// </summary>
public sealed class EventStorePermissionException : EventStreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused and what to grant.</param>
    public EventStorePermissionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What was refused and what to grant.</param>
    /// <param name="innerException">The PostgreSQL error.</param>
    public EventStorePermissionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal EventStorePermissionException(string message, Exception innerException, string? roleName, string? objectType, string? objectName)
        : base(message, innerException)
    {
        RoleName = roleName;
        ObjectType = objectType;
        ObjectName = objectName;
    }

    /// <summary>The role the operation ran as, when the connection string names it.</summary>
    public string? RoleName { get; }

    /// <summary>The kind of object PostgreSQL refused, as its message says (<c>schema</c>, <c>table</c>,
    /// <c>sequence</c>, <c>database</c>...), or null when the message names none.</summary>
    public string? ObjectType { get; }

    /// <summary>The name of the object PostgreSQL refused (a table's name without its schema), or null.</summary>
    public string? ObjectName { get; }
}
