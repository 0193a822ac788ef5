using Npgsql;
using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.PostgreSQL.Queues;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>
/// Appends: the whole logic lives here, in one statement and its fallback. The statement (<see cref="AppendStatements"/>)
/// reserves the offsets on the stream's row, which is also the lock that queues concurrent appenders, and inserts the
/// events, in one round trip and one implicit transaction. It returns no row when the expected length does not match,
/// and fails with a unique violation when an event id is already in the stream; both roll it back whole. Only then does
/// the fallback read, in one statement, the stream's length and which of the ids it holds, and decide: every event is
/// already there (an idempotent retry: the offset of the last), the expected length is wrong
/// (<see cref="StreamConcurrencyException"/> with the actual length), or the statement runs again with the events
/// not yet stored.
/// </summary>
internal sealed partial class PostgresEventStreamStore
{
    private const string EventIdConstraint = "uq_events_event_id";

    private AppendStatements Append => field ??= new AppendStatements(_schema, executor.Database.NotificationChannel is not null);

    protected override async Task<long> AppendCoreAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength,
        CancellationToken cancellationToken)
    {
        var batch = new EventColumns(events.Count);
        foreach (var e in events)
        {
            var serialized = serializer.Serialize(e, nameof(events));
            batch.Add(e.EventId, serialized.EventType, e.CorrelationId, serialized.Json, e.OccurredAt.Utc());
        }

        var now = Now();
        var traceParent = TraceContext.Current;
        var channel = executor.Database.NotificationChannel;
        var category = LogStreams.CategoryOf(streamName);

        // Safe to retry: an event whose id is already in the stream is not appended again, so an attempt that committed
        // but whose reply was lost makes the retry return the same offset, whatever expectedLength says; an attempt
        // that did not commit wrote nothing, and the retry checks expectedLength afresh.
        return await executor.ExecuteAsync("append", Repeat.Safe, async (connection, ct) =>
        {
            var pending = batch;
            while (true)
            {
                if (await TryAppendAsync(connection, pending, ct).ConfigureAwait(false) is { } last)
                {
                    return last;
                }

                var (length, known) = await ReadKnownAsync(connection, ct).ConfigureAwait(false);
                if (known.TryGetValue(batch.Ids[^1], out var existing) && known.Count == batch.Count)
                {
                    return existing;
                }

                if (expectedLength is { } expected && expected != length)
                {
                    throw new StreamConcurrencyException(streamName, expected, length);
                }

                // Some events are stored already (skip them, as a retry does), or the stream moved between the two
                // statements (it only grows, so the expected length either matches now or fails the next check).
                pending = known.Count == 0 ? pending : batch.Without(known);
            }
        }, cancellationToken).ConfigureAwait(false);

        async Task<long?> TryAppendAsync(NpgsqlConnection connection, EventColumns pending, CancellationToken ct)
        {
            var command = new NpgsqlCommand(Append.For(expectedLength, pending.Count == 1), connection);
            await using (command.ConfigureAwait(false))
            {
                AddAppendParameters(command.Parameters, streamName, expectedLength, pending, now, channel, traceParent, category);
                try
                {
                    return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as long?;
                }
                catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: EventIdConstraint })
                {
                    return null;
                }
            }
        }

        async Task<(long Length, Dictionary<string, long> Known)> ReadKnownAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            var command = new NpgsqlCommand(Append.Known, connection);
            await using (command.ConfigureAwait(false))
            {
                command.With(streamName).With(batch.Ids, NpgsqlDbType.Array | NpgsqlDbType.Text);
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(ct).ConfigureAwait(false);
                    var ids = reader.GetFieldValue<string[]>(1);
                    var offsets = reader.GetFieldValue<long[]>(2);
                    var known = new Dictionary<string, long>(ids.Length, StringComparer.Ordinal);
                    for (var i = 0; i < ids.Length; i++)
                    {
                        known[ids[i]] = offsets[i];
                    }

                    return (reader.GetInt64(0), known);
                }
            }
        }
    }

    /// <summary>Adds an append statement's parameters (see <see cref="AppendStatements"/>).</summary>
    private static void AddAppendParameters(NpgsqlParameterCollection parameters, string streamName, long? expectedLength, EventColumns events,
        DateTimeOffset now, string? channel, string? traceParent, string? category)
    {
        parameters.With(streamName).With(expectedLength, NpgsqlDbType.Bigint);
        if (events.Count == 1)
        {
            parameters.With(events.Ids[0]).With(events.Types[0]).With(events.CorrelationIds[0], NpgsqlDbType.Text)
                .With(events.Data[0], NpgsqlDbType.Json).With(events.OccurredAt[0]);
        }
        else
        {
            parameters
                .With(events.Ids, NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(events.Types, NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(events.CorrelationIds, NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(events.Data, NpgsqlDbType.Array | NpgsqlDbType.Json)
                .With(events.OccurredAt, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz);
        }

        parameters.With(now).With(channel, NpgsqlDbType.Text).With(traceParent, NpgsqlDbType.Text).With(category, NpgsqlDbType.Text);
    }

    /// <summary>The columns of the events to append, as the statement's array parameters take them.</summary>
    private sealed class EventColumns(int capacity)
    {
        private int _count;

        public string[] Ids { get; } = new string[capacity];
        public string[] Types { get; } = new string[capacity];
        public string?[] CorrelationIds { get; } = new string?[capacity];
        public string[] Data { get; } = new string[capacity];
        public DateTimeOffset[] OccurredAt { get; } = new DateTimeOffset[capacity];

        public int Count => _count;

        public void Add(string id, string type, string? correlationId, string data, DateTimeOffset occurredAt)
        {
            (Ids[_count], Types[_count], CorrelationIds[_count], Data[_count], OccurredAt[_count]) = (id, type, correlationId, data, occurredAt);
            _count++;
        }

        /// <summary>The events whose ids are not in <paramref name="known"/>, in order.</summary>
        public EventColumns Without(Dictionary<string, long> known)
        {
            var rest = new EventColumns(_count - Ids.Count(known.ContainsKey));
            for (var i = 0; i < _count; i++)
            {
                if (!known.ContainsKey(Ids[i]))
                {
                    rest.Add(Ids[i], Types[i], CorrelationIds[i], Data[i], OccurredAt[i]);
                }
            }

            return rest;
        }
    }

    /// <summary>
    /// The append statements, built once per schema. Parameters: $1 stream, $2 expected length, $3..$7 the events' ids,
    /// types, correlation ids, data and occurrence times (arrays; scalars in the statements for a single event), $8 now,
    /// $9 the notification channel, $10 the trace parent, $11 the stream's category (or null). Each returns the last
    /// event's offset, or no row when the expected length does not match. Each also records the append in
    /// <c>log_pending</c>, visible when the events are, for the log sequencer (<c>PostgresEventStreamStore.Logs.cs</c>).
    /// </summary>
    /// <remarks>
    /// In READ COMMITTED, an appender that waits for another's lock on the stream's row re-reads the row once it is
    /// released (the newest version, not its snapshot's), so the offsets it reserves follow the other's; the event-id
    /// check is the unique index, which sees committed rows whatever the snapshot. So one statement is enough for
    /// concurrent appenders to get contiguous offsets.
    /// The events' acceptance time (<c>created_at</c>) is taken from the locked row, as the later of its last append's
    /// and this one's clock reading: an appender reads the clock before it waits for the lock, so without this a later
    /// offset could carry an earlier time, and a start from a timestamp would skip the event before it.
    /// </remarks>
    private sealed class AppendStatements
    {
        /// <summary>What a batch's append statement casts to <c>bigint</c> when the expected length does not match, so
        /// that the batch fails (22P02) and rolls back whole.</summary>
        public const string ExpectedLengthMarker = "svrnty:expected-length-mismatch";

        private readonly Dictionary<(bool Update, bool Single, bool Batch), string> _statements = [];

        public AppendStatements(string s, bool notify)
        {
            foreach (var update in new[] { false, true })
            {
                foreach (var single in new[] { false, true })
                {
                    foreach (var batch in new[] { false, true })
                    {
                        _statements[(update, single, batch)] = Build(s, notify, update, single, batch);
                    }
                }
            }

            // The stream's length and which of the ids ($2) it holds, at their offsets, from one snapshot. The WAL record
            // (PostgresEventQueue.ConfirmCommit) makes the statement commit like a write, so with synchronous replication it returns only once a standby has
            // everything up to it: a repeat of an append whose first commit no standby confirmed (all its ids found here)
            // is confirmed now, or fails as unconfirmed again, never a success on what is only on the primary.
            Known = $"""
                SELECT coalesce((SELECT next_offset FROM {s}.streams WHERE stream_name = $1), 0), k.ids, k.offsets, {PostgresEventQueue.ConfirmCommit}
                FROM (SELECT coalesce(array_agg(e.event_id), ARRAY[]::text[]) AS ids,
                             coalesce(array_agg(e.stream_offset), ARRAY[]::bigint[]) AS offsets
                      FROM {s}.events e WHERE e.stream_name = $1 AND e.event_id = ANY ($2)) k
                """;
        }

        /// <summary>The fallback's read: the stream's length, the known ids and their offsets.</summary>
        public string Known { get; }

        /// <summary>The statement for an append: one that creates or locks the stream's row (no expected length, or 0),
        /// or one that only updates it (an expected length above 0: the stream must exist at exactly that length); for a
        /// single event or several; alone (no row on a wrong expected length) or in a batch (an error instead).</summary>
        public string For(long? expectedLength, bool single, bool batch = false) => _statements[(expectedLength > 0, single, batch)];

        private static string Build(string s, bool notify, bool update, bool single, bool batch)
        {
            var count = single ? "1" : "cardinality($3)";
            var rows = single
                ? "SELECT $1, r.first, $3, $4, $5, $6, $7, r.at, $10 FROM r"
                : """
                  SELECT $1, r.first + b.ord - 1, b.event_id, b.event_type, b.correlation_id, b.data, b.occurred_at, r.at, $10
                      FROM r, unnest($3, $4, $5, $6, $7) WITH ORDINALITY AS b(event_id, event_type, correlation_id, data, occurred_at, ord)
                  """;
            var reserve = update
                ? $"""
                  UPDATE {s}.streams SET next_offset = next_offset + {count}, updated_at = greatest(updated_at, $8)
                  WHERE stream_name = $1 AND next_offset = $2
                  RETURNING next_offset - {count} AS first, updated_at AS at
                  """
                : $"""
                  INSERT INTO {s}.streams AS t (stream_name, next_offset, created_at, updated_at)
                  VALUES ($1, {count}, $8, $8)
                  ON CONFLICT (stream_name) DO UPDATE
                  SET next_offset = t.next_offset + excluded.next_offset, updated_at = greatest(t.updated_at, excluded.updated_at)
                  WHERE $2::bigint IS NULL OR t.next_offset = $2
                  RETURNING t.next_offset - {count} AS first, t.updated_at AS at
                  """;
            var result = batch
                // The failing cast reads the CTE, so the planner cannot fold it into a constant (and fail) when a row exists.
                ? $"SELECT coalesce((SELECT r.first + {count} - 1 FROM r), (SELECT ('{ExpectedLengthMarker}:' || $1 || ':' || count(*))::bigint FROM r))"
                  + (notify ? ", (SELECT pg_notify($9, 's' || $1) FROM r)" : "")
                : $"SELECT r.first + {count} - 1{(notify ? ", pg_notify($9, 's' || $1)" : "")} FROM r";
            return $"""
                WITH r AS ({reserve}),
                e AS (
                    INSERT INTO {s}.events
                        (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent)
                    {rows}),
                p AS (
                    INSERT INTO {s}.log_pending (stream_name, first_offset, event_count, category)
                    SELECT $1, r.first, {count}, $11 FROM r)
                {result}
                """;
        }
    }
}
