using Npgsql;
using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Resilience;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>
/// Appends. The common case is one plain SQL statement (<see cref="AppendStatements"/>): it reserves the offsets on the
/// stream's row, which is also the lock that queues concurrent appenders, and inserts the events, in one round trip and
/// one implicit transaction. The rare cases go to the <c>append_events</c> function, in a second round trip on the same
/// connection: a wrong expected length (the function raises with the actual length) and an event id already in the
/// stream (the function skips it: an idempotent retry).
/// </summary>
internal sealed partial class PostgresEventStreamStore
{
    private const string ConcurrencySqlState = "SVC01";
    private const string EventIdConstraint = "uq_events_event_id";
    private readonly AppendStatements _append;

    protected override async Task<long> AppendCoreAsync(string streamName, IReadOnlyCollection<ICorrelatedEvent> events, long? expectedLength,
        CancellationToken cancellationToken)
    {
        var count = events.Count;
        var ids = new string[count];
        var types = new string[count];
        var correlationIds = new string?[count];
        var data = new string[count];
        var occurredAt = new DateTimeOffset[count];
        var i = 0;
        foreach (var e in events)
        {
            var serialized = _serializer.Serialize(e, nameof(events));
            ids[i] = e.EventId;
            types[i] = serialized.EventType;
            correlationIds[i] = e.CorrelationId;
            data[i] = serialized.Json;
            occurredAt[i] = e.OccurredAt.Utc();
            i++;
        }

        var now = Now();
        var traceParent = TraceContext.Current;
        var single = count == 1;

        // Safe to retry: an event whose id is already in the stream is not appended again, so an attempt that committed
        // but whose reply was lost makes the retry return the same offset, whatever expectedLength says; an attempt
        // that did not commit wrote nothing, and the retry checks expectedLength afresh.
        return await RunAsync("append", Repeat.Safe, _append.For(expectedLength, single), async (command, ct) =>
        {
            AddParameters(command, single);
            try
            {
                // No row: the expected length did not match. The statement rolled back; the function says why.
                if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long last)
                {
                    return last;
                }
            }
            catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: EventIdConstraint })
            {
                // An event id already in the stream: the statement rolled back, the function skips the known events.
            }

            command.CommandText = _append.Function;
            command.Parameters.Clear();
            AddParameters(command, single: false);
            try
            {
                return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            }
            catch (PostgresException e) when (e.SqlState == ConcurrencySqlState)
            {
                throw new StreamConcurrencyException(streamName, expectedLength!.Value, long.Parse(e.MessageText, System.Globalization.CultureInfo.InvariantCulture));
            }
        }, cancellationToken).ConfigureAwait(false);

        // The same ten parameters, in the same order, serve the statements and the function; a single event's go as
        // scalars (cheaper to send and to read than one-element arrays), the function's always as arrays.
        void AddParameters(NpgsqlCommand command, bool single)
        {
            command.With(streamName).With(expectedLength, NpgsqlDbType.Bigint);
            if (single)
            {
                command.With(ids[0]).With(types[0]).With(correlationIds[0], NpgsqlDbType.Text).With(data[0], NpgsqlDbType.Jsonb).With(occurredAt[0]);
            }
            else
            {
                command
                    .With(ids, NpgsqlDbType.Array | NpgsqlDbType.Text)
                    .With(types, NpgsqlDbType.Array | NpgsqlDbType.Text)
                    .With(correlationIds, NpgsqlDbType.Array | NpgsqlDbType.Text)
                    .With(data, NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
                    .With(occurredAt, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz);
            }

            command.With(now).With(_database.NotificationChannel, NpgsqlDbType.Text).With(traceParent, NpgsqlDbType.Text);
        }
    }

    /// <summary>
    /// The append statements, built once per schema. Parameters, shared with <c>append_events</c>: $1 stream, $2 expected
    /// length, $3..$7 the events' ids, types, correlation ids, data and occurrence times (arrays; scalars in the
    /// statements for a single event), $8 now, $9 the notification channel, $10 the trace parent. Each statement returns
    /// the last event's offset, or no row when the expected length does not match.
    /// </summary>
    /// <remarks>
    /// In READ COMMITTED, an appender that waits for another's lock on the stream's row re-reads the row once it is
    /// released (the newest version, not its snapshot's), so the offsets it reserves follow the other's; the event-id
    /// check is the unique index, which sees committed rows whatever the snapshot. So one statement is enough for
    /// concurrent appenders to get contiguous offsets, where the function needs a second statement (a new snapshot)
    /// for its own NOT EXISTS check.
    /// The events' acceptance time (<c>created_at</c>) is taken from the locked row, as the later of its last append's
    /// and this one's clock reading: an appender reads the clock before it waits for the lock, so without this a later
    /// offset could carry an earlier time, and a start from a timestamp would skip the event before it.
    /// </remarks>
    private sealed class AppendStatements
    {
        private readonly string _upsert;
        private readonly string _update;
        private readonly string _upsertOne;
        private readonly string _updateOne;

        public AppendStatements(string s, bool notify)
        {
            (_upsert, _update) = Build(s, notify, single: false);
            (_upsertOne, _updateOne) = Build(s, notify, single: true);
            Function = $"SELECT {s}.append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        }

        /// <summary>The function for the rare cases: it raises SVC01 with the actual length, and skips known event ids.</summary>
        public string Function { get; }

        public string For(long? expectedLength, bool single) => (expectedLength > 0, single) switch
        {
            (false, false) => _upsert,
            (true, false) => _update,
            (false, true) => _upsertOne,
            (true, true) => _updateOne,
        };

        /// <summary>The statement that creates or locks the stream's row (no expected length, or 0), and the one that
        /// only updates it (an expected length above 0: the stream must exist at exactly that length).</summary>
        private static (string Upsert, string Update) Build(string s, bool notify, bool single)
        {
            var count = single ? "1" : "cardinality($3)";
            var rows = single
                ? "SELECT $1, r.first, $3, $4, $5, $6, $7, r.at, $10 FROM r"
                : """
                  SELECT $1, r.first + b.ord - 1, b.event_id, b.event_type, b.correlation_id, b.data, b.occurred_at, r.at, $10
                      FROM r, unnest($3, $4, $5, $6, $7) WITH ORDINALITY AS b(event_id, event_type, correlation_id, data, occurred_at, ord)
                  """;
            var insertEvents = $"""
                e AS (
                    INSERT INTO {s}.events
                        (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent)
                    {rows})
                SELECT r.first + {count} - 1{(notify ? ", pg_notify($9, 's' || $1)" : "")} FROM r
                """;
            return ($"""
                WITH r AS (
                    INSERT INTO {s}.streams AS t (stream_name, next_offset, created_at, updated_at)
                    VALUES ($1, {count}, $8, $8)
                    ON CONFLICT (stream_name) DO UPDATE
                    SET next_offset = t.next_offset + excluded.next_offset, updated_at = greatest(t.updated_at, excluded.updated_at)
                    WHERE $2::bigint IS NULL OR t.next_offset = $2
                    RETURNING t.next_offset - {count} AS first, t.updated_at AS at),
                {insertEvents}
                """, $"""
                WITH r AS (
                    UPDATE {s}.streams SET next_offset = next_offset + {count}, updated_at = greatest(updated_at, $8)
                    WHERE stream_name = $1 AND next_offset = $2
                    RETURNING next_offset - {count} AS first, updated_at AS at),
                {insertEvents}
                """);
        }
    }
}
