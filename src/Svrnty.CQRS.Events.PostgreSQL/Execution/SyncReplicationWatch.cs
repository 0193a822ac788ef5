using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Execution;

/// <summary>
/// Watches one connection's notices for the warning PostgreSQL sends when a commit's wait for synchronous replication
/// is cancelled: "canceling wait for synchronous replication due to user request" (a command timeout, a cancelled
/// token: SQLSTATE <c>01000</c> up to PostgreSQL 17) or "canceling the wait for synchronous replication and terminating
/// connection due to administrator command" (<c>57P01</c>), both with the detail "The transaction has already committed
/// locally, but might not have been replicated to the standby". The statement then returns normally (or the session
/// ends), so without this the commit would look confirmed. It is recognised by the server routine that raises it
/// (<c>SyncRepWaitForLSN</c>, the same whatever <c>lc_messages</c> says), else by its English text.
/// </summary>
internal sealed class SyncReplicationWatch
{
    private const string Routine = "SyncRepWaitForLSN";

    private volatile PostgresNotice? _notice;

    /// <summary>The warning, once seen; null while every commit on the connection was confirmed.</summary>
    public PostgresNotice? Notice => _notice;

    public void OnNotice(object? sender, NpgsqlNoticeEventArgs e)
    {
        if (IsUnconfirmedCommit(e.Notice))
        {
            _notice = e.Notice;
        }
    }

    /// <summary>Whether <paramref name="notice"/> says a commit's synchronous replication was not confirmed.</summary>
    internal static bool IsUnconfirmedCommit(PostgresNotice notice) =>
        string.Equals(notice.Routine, Routine, StringComparison.Ordinal)
        || notice.MessageText.Contains("wait for synchronous replication", StringComparison.Ordinal)
        || notice.Detail?.Contains("committed locally", StringComparison.Ordinal) == true;

    /// <summary>The exception to throw for <paramref name="operation"/> once the warning was seen.</summary>
    public EventStoreDurabilityUnconfirmedException Unconfirmed(string operation, Exception? cause)
    {
        var notice = _notice!;
        var server = notice.Detail is { Length: > 0 } detail ? $"{notice.MessageText} ({detail})" : notice.MessageText;
        return new EventStoreDurabilityUnconfirmedException(
            $"The PostgreSQL operation '{operation}' committed on the primary, but no synchronous standby confirmed it: the wait for " +
            $"synchronous replication was cancelled ({(cause is null ? "command timeout or cancellation" : cause.GetType().Name)}). " +
            "The write is visible on this server, but a failover to a standby that did not receive it would lose it. " +
            Advice(operation) +
            $"PostgreSQL said: {notice.Severity} {notice.SqlState}: {server}",
            cause, operation, server);
    }

    /// <summary>What the caller can do, by operation: only writes identified by event ids are repeated with them.</summary>
    private static string Advice(string operation) => operation switch
    {
        "append" or "enqueue" or "write_batch" =>
            "Send the same call again with the same event ids: the store is idempotent on EventId, and the repeat succeeds once a standby confirms the write. ",
        "commit_offset" or "reset_offset" =>
            "Send the same call again: setting an offset is idempotent, and the repeat succeeds once a standby confirms it. ",
        "dequeue" =>
            "Do not repeat it to confirm: the message it leased stays leased until its visibility timeout and is then delivered again (a failover that lost the lease delivers it again too). ",
        "ack" or "nack" or "extend_lease" or "park" =>
            "If a failover loses it, the message is delivered again (at-least-once): handle deliveries idempotently; repeating the call is not needed. ",
        _ =>
            "Repeating the call is safe: it changes nothing already applied here, and returns once a standby confirms. ",
    };
}
