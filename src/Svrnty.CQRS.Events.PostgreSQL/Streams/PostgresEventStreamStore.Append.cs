using Npgsql;
using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Resilience;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

internal sealed partial class PostgresEventStreamStore
{
    private const string ConcurrencySqlState = "SVC01";
    private readonly string _appendSql;

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

        // Safe to retry: an event whose id is already in the stream is not appended again, so an attempt that committed
        // but whose reply was lost makes the retry return the same offset, whatever expectedLength says; an attempt
        // that did not commit wrote nothing, and the retry checks expectedLength afresh.
        return await RunAsync("append", Repeat.Safe, _appendSql, async (command, ct) =>
        {
            command
                .With(streamName)
                .With(expectedLength, NpgsqlDbType.Bigint)
                .With(ids, NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(types, NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(correlationIds, NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(data, NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
                .With(occurredAt, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
                .With(now)
                .With(_database.NotificationChannel, NpgsqlDbType.Text)
                .With(traceParent, NpgsqlDbType.Text);
            try
            {
                return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            }
            catch (PostgresException e) when (e.SqlState == ConcurrencySqlState)
            {
                throw new StreamConcurrencyException(streamName, expectedLength!.Value, long.Parse(e.MessageText, System.Globalization.CultureInfo.InvariantCulture));
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}
