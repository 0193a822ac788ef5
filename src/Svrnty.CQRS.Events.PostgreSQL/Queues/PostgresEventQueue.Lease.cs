using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.Queues;

namespace Svrnty.CQRS.Events.PostgreSQL.Queues;

/// <summary>
/// Dequeues and nacks: each one statement that may move the message to the dead letters in the same commit. The
/// queue's delivery limit is read in the statement (<c>stream_configurations</c>, default
/// <see cref="StreamConfiguration.DefaultMaxDeliveryAttempts"/>); the dead-letter reasons are worded by
/// <see cref="DeadLetterReasons"/>, as on every backend.
/// </summary>
internal sealed partial class PostgresEventQueue
{
    private static readonly string MaxAttemptsReason = DeadLetterReasons.MaxDeliveryAttemptsExceededFormat.Replace("{0}", "%s", StringComparison.Ordinal);

    private string MaxAttempts => $"""
        cfg AS (
            SELECT coalesce((SELECT c.max_delivery_attempts FROM {_schema}.stream_configurations c WHERE c.stream_name = $1),
                            {StreamConfiguration.DefaultMaxDeliveryAttempts}) AS max_attempts)
        """;

    /// <summary>
    /// Leases the oldest visible message in one statement: $1 queue, $2 consumer, $3 now, $4 end of the lease, $5 the
    /// reason's format. SKIP LOCKED lets competing consumers pass each other. When the head has used every delivery
    /// attempt it is dead-lettered instead, and the statement returns it with <c>leased = false</c>, so the caller runs
    /// it again for the next message; an empty queue costs one statement that returns nothing.
    /// </summary>
    private string DequeueSql => field ??= $"""
        WITH {MaxAttempts},
        head AS (
            SELECT h.event_id, h.delivery_count FROM {_schema}.queue_messages h
            WHERE h.queue_name = $1 AND h.visible_at <= $3
            ORDER BY h.seq
            LIMIT 1
            FOR UPDATE SKIP LOCKED),
        leased AS (
            UPDATE {_schema}.queue_messages q
            SET delivery_count = q.delivery_count + 1, holder = $2, visible_at = $4
            FROM head, cfg
            WHERE q.queue_name = $1 AND q.event_id = head.event_id AND head.delivery_count < cfg.max_attempts
            RETURNING q.event_id, q.event_type, q.correlation_id, q.data, q.occurred_at, q.delivery_count, q.visible_at, q.trace_parent),
        exhausted AS (
            DELETE FROM {_schema}.queue_messages q USING head, cfg
            WHERE q.queue_name = $1 AND q.event_id = head.event_id AND head.delivery_count >= cfg.max_attempts
            RETURNING q.*),
        dead AS ({DeadLetterFrom("exhausted", "format($5, x.delivery_count)", "$3")})
        SELECT true, event_id, event_type, correlation_id, data, occurred_at, delivery_count, visible_at, trace_parent FROM leased
        UNION ALL
        SELECT false, event_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM exhausted
        """;

    /// <summary>
    /// Gives back a message the consumer holds, in one statement: $1 queue, $2 event id, $3 consumer, $4 requeue, $5 now,
    /// $6 the delivery-limit reason's format, $7 the rejection reason, $8 the notification channel (with notifications
    /// on). Visible again at once (and NOTIFY), or dead-lettered when rejected or out of delivery attempts. Returns false
    /// and changes nothing when the consumer does not hold it. The update and the delete exclude each other on the
    /// same row version.
    /// </summary>
    private string NackSql => field ??= $"""
        WITH {MaxAttempts},
        requeued AS (
            UPDATE {_schema}.queue_messages q SET holder = NULL, visible_at = $5
            FROM cfg
            WHERE q.queue_name = $1 AND q.event_id = $2 AND q.holder = $3 AND $4 AND q.delivery_count < cfg.max_attempts
            RETURNING q.queue_name),
        rejected AS (
            DELETE FROM {_schema}.queue_messages q USING cfg
            WHERE q.queue_name = $1 AND q.event_id = $2 AND q.holder = $3 AND (NOT $4 OR q.delivery_count >= cfg.max_attempts)
            RETURNING q.*),
        dead AS ({DeadLetterFrom("rejected", "CASE WHEN $4 THEN format($6, x.delivery_count) ELSE $7 END", "$5")})
        SELECT EXISTS (SELECT 1 FROM requeued) OR EXISTS (SELECT 1 FROM rejected)
        {(executor.Database.NotificationChannel is null ? "" : ", (SELECT pg_notify($8, 'q' || $1) FROM requeued)")}
        """;

    protected override Task<DequeuedEvent?> DequeueCoreAsync(string streamName, string consumerId, TimeSpan visibilityTimeout,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        // Not repeated once sent: an attempt whose reply was lost may have leased a message; a retry would lease a second
        // one while the first stays invisible until its lease expires (and counts a delivery). The caller polls again.
        return executor.ExecuteAsync("dequeue", Repeat.OnlyIfNotSent, async (connection, ct) =>
        {
            var command = new NpgsqlCommand(DequeueSql, connection);
            await using (command.ConfigureAwait(false))
            {
                command.With(streamName).With(consumerId).With(now).With(now + visibilityTimeout).With(MaxAttemptsReason);
                while (true)
                {
                    var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            return null;
                        }

                        if (!reader.GetBoolean(0))
                        {
                            continue; // the head was out of delivery attempts and is a dead letter now: the next one
                        }

                        var eventId = reader.GetString(1);
                        var eventType = reader.GetString(2);
                        var json = reader.GetString(4);
                        return new DequeuedEvent
                        {
                            StreamName = streamName,
                            EventId = eventId,
                            Event = serializer.Deserialize(eventType, json, eventId, reader.GetNullableString(3), reader.GetTimestamp(5)),
                            EventType = eventType,
                            Json = json,
                            ConsumerId = consumerId,
                            DeliveryCount = reader.GetInt32(6),
                            VisibleUntil = reader.GetTimestamp(7),
                            TraceParent = reader.GetNullableString(8),
                        };
                    }
                }
            }
        }, cancellationToken);
    }

    // A repeat after an attempt that committed matches nothing (the consumer no longer holds the message) and changes
    // nothing; it reports false, as for an ack.
    protected override Task<bool> NackCoreAsync(string streamName, string eventId, string consumerId, bool requeue,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return executor.RunAsync("nack", Repeat.Safe, NackSql, async (command, ct) =>
        {
            command.With(streamName).With(eventId).With(consumerId).With(requeue).With(now)
                .With(MaxAttemptsReason).With(DeadLetterReasons.Rejected(consumerId));
            if (executor.Database.NotificationChannel is { } channel)
            {
                command.With(channel);
            }

            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);
    }

    /// <summary>The insert that moves the rows of <paramref name="source"/> (deleted from <c>queue_messages</c>, all
    /// columns) to the dead letters, replacing an older dead letter with the same id.</summary>
    private string DeadLetterFrom(string source, string reason, string now) => $"""
        INSERT INTO {_schema}.dead_letters AS d
            (queue_name, event_id, event_type, correlation_id, data, occurred_at, delivery_count, reason, dead_lettered_at, trace_parent)
        SELECT x.queue_name, x.event_id, x.event_type, x.correlation_id, x.data, x.occurred_at, x.delivery_count, {reason}, {now}, x.trace_parent
        FROM {source} x
        ON CONFLICT (queue_name, event_id) DO UPDATE
        SET seq = DEFAULT, event_type = excluded.event_type, correlation_id = excluded.correlation_id, data = excluded.data,
            occurred_at = excluded.occurred_at, delivery_count = excluded.delivery_count, reason = excluded.reason,
            dead_lettered_at = excluded.dead_lettered_at, trace_parent = excluded.trace_parent
        """;
}
