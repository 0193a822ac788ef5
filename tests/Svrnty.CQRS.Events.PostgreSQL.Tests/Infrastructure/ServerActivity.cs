using Npgsql;

namespace Svrnty.CQRS.Events.PostgreSQL.Tests.Infrastructure;

/// <summary>What the server's sessions are doing, from <c>pg_stat_activity</c>: a test that holds a lock waits here until
/// the statement it means to block really waits on it, instead of hoping that it has got that far.</summary>
internal static class ServerActivity
{
    /// <summary>Polls until a session waits on a lock (<c>wait_event_type = 'Lock'</c>) that <paramref name="holder"/>'s
    /// session holds, and returns the sessions it blocks; fails with <paramref name="what"/> at the deadline.</summary>
    public static Task<IReadOnlyList<BlockedSession>> UntilWaitingOnALockHeldByAsync(NpgsqlDataSource dataSource, NpgsqlConnection holder, string what)
    {
        var holderPid = holder.ProcessID;
        return Deadline.UntilAsync(() => BlockedByAsync(dataSource, holderPid), sessions => sessions.Any(s => s.WaitEventType == "Lock"),
            $"{what} (a session waiting on a lock held by session {holderPid})");
    }

    private static async Task<IReadOnlyList<BlockedSession>> BlockedByAsync(NpgsqlDataSource dataSource, int holderPid)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT pid, wait_event_type, wait_event, left(query, 120) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = holderPid });
        await using var reader = await command.ExecuteReaderAsync();
        var sessions = new List<BlockedSession>();
        while (await reader.ReadAsync())
        {
            sessions.Add(new BlockedSession(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? string.Empty : reader.GetString(3)));
        }

        return sessions;
    }
}

/// <summary>A session blocked by another, as <c>pg_stat_activity</c> shows it.</summary>
internal sealed record BlockedSession(int Pid, string? WaitEventType, string? WaitEvent, string Query);
