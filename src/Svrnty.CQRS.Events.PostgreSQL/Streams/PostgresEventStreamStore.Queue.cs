using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Resilience;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

internal sealed partial class PostgresEventStreamStore
{
    private readonly string _enqueueSql;
    private readonly string _dequeueSql;
    private readonly string _ackSql;
    private readonly string _nackSql;
    private readonly string _pendingSql;
    private readonly string _extendLeaseSql;

    protected override Task EnqueueCoreAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken)
    {
        var serialized = _serializer.Serialize(@event);
        var now = Now();
        var traceParent = TraceContext.Current;

        // Not repeated once sent: the enqueue is a no-op only while the message is pending, so a retry after an attempt
        // that committed could add it again if a consumer had taken and acknowledged it in between.
        return RunAsync("enqueue", Repeat.OnlyIfNotSent, _enqueueSql, async (command, ct) =>
        {
            command
                .With(streamName)
                .With(@event.EventId)
                .With(serialized.EventType)
                .With(@event.CorrelationId, NpgsqlDbType.Text)
                .With(serialized.Json, NpgsqlDbType.Jsonb)
                .With(@event.OccurredAt.Utc())
                .With(now)
                .With(traceParent, NpgsqlDbType.Text);
            if (_database.NotificationChannel is { } channel)
            {
                command.With(channel);
            }

            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    protected override Task<DequeuedEvent?> DequeueCoreAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken)
    {
        var now = Now();

        // Not repeated once sent: an attempt whose reply was lost may have leased a message; a retry would lease a second
        // one while the first stays invisible until its lease expires (and counts a delivery). The caller polls again.
        return RunAsync("dequeue", Repeat.OnlyIfNotSent, _dequeueSql, async (command, ct) =>
        {
            command.With(streamName).With(consumerId).With(now).With(now + visibilityTimeout);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    return null;
                }

                var eventId = reader.GetString(0);
                return new DequeuedEvent
                {
                    StreamName = streamName,
                    EventId = eventId,
                    Event = _serializer.Deserialize(reader.GetString(1), reader.GetFieldValue<byte[]>(3), eventId, reader.GetNullableString(2), reader.GetTimestamp(4)),
                    ConsumerId = consumerId,
                    DeliveryCount = reader.GetInt32(5),
                    VisibleUntil = reader.GetTimestamp(6),
                    TraceParent = reader.GetNullableString(7),
                };
            }
        }, cancellationToken);
    }

    // Acks, nacks and lease extensions match on the holder, so a repeat after an attempt that committed matches nothing
    // and changes nothing (it then reports false: the message is gone or no longer held, as the first attempt left it).
    protected override Task<bool> AcknowledgeCoreAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken) =>
        RunAsync("ack", Repeat.Safe, _ackSql, async (command, ct) =>
        {
            command.With(streamName).With(eventId).With(consumerId);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);

    protected override Task<bool> NackCoreAsync(string streamName, string eventId, string consumerId, bool requeue,
        CancellationToken cancellationToken)
    {
        var now = Now();
        return RunAsync("nack", Repeat.Safe, _nackSql, async (command, ct) =>
        {
            command.With(streamName).With(eventId).With(consumerId).With(requeue).With(now);
            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);
    }

    protected override Task<DateTimeOffset?> ExtendLeaseCoreAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken)
    {
        var until = Now() + visibilityTimeout;
        return RunAsync("extend_lease", Repeat.Safe, _extendLeaseSql, async (command, ct) =>
        {
            command.With(streamName).With(eventId).With(consumerId).With(until);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is DateTime extended
                ? new DateTimeOffset(DateTime.SpecifyKind(extended, DateTimeKind.Utc))
                : (DateTimeOffset?)null;
        }, cancellationToken);
    }

    protected override Task<long> GetPendingCountCoreAsync(string streamName, CancellationToken cancellationToken) =>
        RunAsync("pending", Repeat.Safe, _pendingSql, async (command, ct) =>
        {
            command.With(streamName);
            return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);
}
