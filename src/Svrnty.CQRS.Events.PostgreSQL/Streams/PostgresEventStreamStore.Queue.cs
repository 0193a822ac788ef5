using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

internal sealed partial class PostgresEventStreamStore
{
    private readonly string _enqueueSql;
    private readonly string _dequeueSql;
    private readonly string _ackSql;
    private readonly string _nackSql;
    private readonly string _pendingSql;
    private readonly string _extendLeaseSql;

    protected override async Task EnqueueCoreAsync(string streamName, ICorrelatedEvent @event, CancellationToken cancellationToken)
    {
        var serialized = _serializer.Serialize(@event);
        var command = await CommandAsync(_enqueueSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command
                .With(streamName)
                .With(@event.EventId)
                .With(serialized.EventType)
                .With(@event.CorrelationId, NpgsqlDbType.Text)
                .With(serialized.Json, NpgsqlDbType.Jsonb)
                .With(@event.OccurredAt.Utc())
                .With(Now())
                .With(TraceContext.Current, NpgsqlDbType.Text);
            if (_database.NotificationChannel is { } channel)
            {
                command.With(channel);
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task<DequeuedEvent?> DequeueCoreAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken)
    {
        var now = Now();
        var command = await CommandAsync(_dequeueSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName).With(consumerId).With(now).With(now + visibilityTimeout);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                var eventId = reader.GetString(0);
                return new DequeuedEvent
                {
                    StreamName = streamName,
                    EventId = eventId,
                    Event = _serializer.Deserialize(reader.GetString(1), reader.GetString(3), eventId, reader.GetNullableString(2), reader.GetTimestamp(4)),
                    ConsumerId = consumerId,
                    DeliveryCount = reader.GetInt32(5),
                    VisibleUntil = reader.GetTimestamp(6),
                    TraceParent = reader.GetNullableString(7),
                };
            }
        }
    }

    protected override async Task<bool> AcknowledgeCoreAsync(string streamName, string eventId, string consumerId, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(_ackSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName).With(eventId).With(consumerId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }

    protected override async Task<bool> NackCoreAsync(string streamName, string eventId, string consumerId, bool requeue,
        CancellationToken cancellationToken)
    {
        var command = await CommandAsync(_nackSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName).With(eventId).With(consumerId).With(requeue).With(Now());
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    protected override async Task<DateTimeOffset?> ExtendLeaseCoreAsync(string streamName, string eventId, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken)
    {
        var command = await CommandAsync(_extendLeaseSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName).With(eventId).With(consumerId).With(Now() + visibilityTimeout);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime until
                ? new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc))
                : null;
        }
    }

    protected override async Task<long> GetPendingCountCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(_pendingSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }
}
