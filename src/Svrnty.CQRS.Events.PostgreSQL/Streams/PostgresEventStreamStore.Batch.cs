using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Batches;
using Svrnty.CQRS.Events.Consumers;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.PostgreSQL.Offsets;
using Svrnty.CQRS.Events.PostgreSQL.Queues;
using Svrnty.CQRS.Events.Serialization;
using Svrnty.CQRS.Events.Validation;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>
/// Batches, in one round trip: an <see cref="NpgsqlBatch"/> (one implicit transaction, or the caller's) that first locks
/// the rows of every stream the batch appends to, in ordinal name order (so batches on overlapping streams never
/// deadlock, and batches on disjoint streams never wait on each other), then runs each operation's own statement in the
/// order added: the append statement, the enqueue, the offset commit, the acknowledgement. A wrong expected length or a
/// lost lease makes its statement fail, which rolls the whole batch back. Only then, as for a single append, one more
/// round trip reads the streams' lengths and which of the batch's event ids they hold; <see cref="BatchAppendPlan"/>
/// decides (an error, or the batch again without the events already stored).
/// </summary>
internal sealed partial class PostgresEventStreamStore : IPostgresEventBatchWriter
{
    private const string LeaseLostMarker = "svrnty:lease-lost:";
    private const string Savepoint = "svrnty_event_batch";

    private string LockStreamsSql => field ??= $"""
        INSERT INTO {_schema}.streams AS t (stream_name, next_offset, created_at, updated_at)
        SELECT u.name, 0, $2, $2 FROM unnest($1::text[]) WITH ORDINALITY AS u(name, ord) ORDER BY u.ord
        ON CONFLICT (stream_name) DO UPDATE SET next_offset = t.next_offset
        """;

    private string BatchEnqueueSql => field ??= PostgresEventQueue.EnqueueStatement(_schema, executor.Database.NotificationChannel is not null, batch: true);

    private string BatchCommitSql => field ??= PostgresConsumerOffsetStore.UpsertStatement(_schema, onlyForward: true);

    private string BatchFencedCommitSql => field ??= PostgresConsumerOffsetStore.FencedCommitStatement(_schema);

    // $4: the acknowledgement's place in the batch, named in the error when the consumer no longer holds the message.
    // The failing cast reads the CTE, so the planner cannot fold it into a constant (and fail) when a row exists.
    private string BatchAckSql => field ??= $"""
        WITH acked AS ({PostgresEventQueue.AckStatement(_schema)} RETURNING 1)
        SELECT coalesce((SELECT 1 FROM acked), (SELECT ('{LeaseLostMarker}' || $4 || ':' || count(*))::int FROM acked))
        """;

    private string StreamLengthsSql => field ??=
        $"SELECT u.name, coalesce(st.next_offset, 0) FROM unnest($1::text[]) AS u(name) LEFT JOIN {_schema}.streams st ON st.stream_name = u.name";

    private string KnownEventsSql => field ??= $"""
        SELECT e.stream_name, e.event_id, e.stream_offset
        FROM unnest($1::text[], $2::text[]) AS k(stream_name, event_id)
        JOIN {_schema}.events e ON e.stream_name = k.stream_name AND e.event_id = k.event_id
        """;

    protected override Task<EventBatchResult> WriteCoreAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        var prepared = new PreparedBatch(batch, serializer);

        // Appends and offset commits alone are safe to repeat (idempotent by event id; commits never go back). An enqueue
        // or an acknowledgement is not (see reliability.md), so such a batch is retried only when nothing was sent.
        var repeat = prepared.HasQueueOperations ? Repeat.OnlyIfNotSent : Repeat.Safe;
        return executor.ExecuteAsync("write_batch", repeat, (connection, ct) => WriteAsync(connection, transaction: null, prepared, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<EventBatchResult> WriteAsync(EventBatch batch, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        Argument.Batch(batch, nameof(batch));
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = OpenConnectionOf(transaction)
            ?? throw new ArgumentException("The transaction has already been committed or rolled back.", nameof(transaction));
        var prepared = new PreparedBatch(batch, serializer);
        await executor.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(connection, transaction, prepared, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EventBatchResult> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, PreparedBatch prepared,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<PlannedAppend>? plan = null;
        while (true)
        {
            try
            {
                return await RunAsync(connection, transaction, prepared, plan, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                // The batch rolled back whole: its implicit transaction, or the caller's back to the savepoint.
                if (transaction is not null)
                {
                    await transaction.RollbackAsync(Savepoint, CancellationToken.None).ConfigureAwait(false);
                }

                if (PostgresConsumerOffsetStore.IsFenced(e))
                {
                    var fenced = prepared.Operations.OfType<CommitOffsetOperation>().First(c => c.Epoch is not null);
                    throw new ConsumerGroupFencedException(fenced.StreamName, fenced.ConsumerGroup, fenced.Epoch!.Value);
                }

                if (LeaseLost(e) is { } index)
                {
                    var ack = prepared.Acknowledgements[index];
                    throw new QueueLeaseLostException(ack.QueueName, ack.EventId, ack.ConsumerId);
                }

                if (!IsAppendConflict(e))
                {
                    throw;
                }
            }

            // A wrong expected length or an event id already stored: decide from the streams' state, as a single append does.
            var (lengths, known) = await ReadStateAsync(connection, transaction, prepared, cancellationToken).ConfigureAwait(false);
            plan = BatchAppendPlan.Plan(prepared.Appends, name => lengths.GetValueOrDefault(name),
                (name, eventId) => known.TryGetValue((name, eventId), out var offset) ? offset : null);
        }
    }

    private async Task<EventBatchResult> RunAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, PreparedBatch prepared,
        IReadOnlyList<PlannedAppend>? plan, CancellationToken cancellationToken)
    {
        var now = Now();
        var traceParent = TraceContext.Current;
        var channel = executor.Database.NotificationChannel;
        var appends = plan ?? prepared.Appends.Select(a => new PlannedAppend(a, a.Events, -1)).ToArray();
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            if (transaction is not null)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SAVEPOINT {Savepoint}"));
            }

            var locked = appends.Where(a => a.Fresh.Count > 0).Select(a => a.Operation.StreamName).Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal).ToArray();
            // A batch whose only appended stream is its first operation (README's Checkout: the order, then its email)
            // needs no lock statement: that append takes the stream's row lock before anything else, the same order.
            var firstLocksAll = locked.Length == 1 && prepared.Operations[0] is AppendOperation && appends[0].Fresh.Count > 0;
            if (locked.Length > 0 && !firstLocksAll)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(LockStreamsSql).With(locked, NpgsqlDbType.Array | NpgsqlDbType.Text).With(now));
            }

            var next = 0;
            var acks = 0;
            foreach (var operation in prepared.Operations)
            {
                var command = operation switch
                {
                    AppendOperation => appends[next++] is { Fresh.Count: > 0 } append ? AppendCommand(append, prepared, now, channel, traceParent) : null,
                    EnqueueOperation enqueue => EnqueueCommand(enqueue, prepared, now, traceParent, channel),
                    CommitOffsetOperation { Epoch: { } epoch } commit => new NpgsqlBatchCommand(BatchFencedCommitSql)
                        .With(commit.StreamName).With(commit.ConsumerGroup).With(commit.NextOffset).With(now).With(epoch),
                    CommitOffsetOperation commit => new NpgsqlBatchCommand(BatchCommitSql).With(commit.StreamName).With(commit.ConsumerGroup).With(commit.NextOffset).With(now),
                    AcknowledgeOperation ack => new NpgsqlBatchCommand(BatchAckSql).With(ack.QueueName).With(ack.EventId).With(ack.ConsumerId)
                        .With((acks++).ToString(CultureInfo.InvariantCulture)),
                    _ => throw new InvalidOperationException($"Unknown batch operation {operation.GetType().Name}."),
                };
                if (command is not null)
                {
                    batch.BatchCommands.Add(command);
                }
            }

            if (transaction is not null)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"RELEASE SAVEPOINT {Savepoint}"));
            }

            // Every operation's statement returns one row; an append's is the offset of its last event.
            var offsets = new List<long>(appends.Count);
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                next = 0;
                var first = true;
                foreach (var operation in prepared.Operations)
                {
                    if (operation is AppendOperation && appends[next++] is { Fresh.Count: 0 } skipped)
                    {
                        offsets.Add(skipped.LastOffset);
                        continue;
                    }

                    if (!first)
                    {
                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    }

                    first = false;
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    if (operation is AppendOperation)
                    {
                        offsets.Add(reader.GetInt64(0));
                    }
                }

                while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
                {
                    // Drain, so that an error of a later statement surfaces here.
                }
            }

            return new EventBatchResult(offsets);
        }
    }

    private NpgsqlBatchCommand AppendCommand(PlannedAppend append, PreparedBatch prepared, DateTimeOffset now, string? channel, string? traceParent)
    {
        var events = new EventColumns(append.Fresh.Count);
        foreach (var e in append.Fresh)
        {
            var serialized = prepared.Serialized[e];
            events.Add(e.EventId, serialized.EventType, e.CorrelationId, serialized.Json, e.OccurredAt.Utc());
        }

        var stream = append.Operation.StreamName;
        var command = new NpgsqlBatchCommand(Append.For(append.Operation.ExpectedLength, events.Count == 1, batch: true));
        AddAppendParameters(command.Parameters, stream, append.Operation.ExpectedLength, events, now, channel, traceParent, LogStreams.CategoryOf(stream));
        return command;
    }

    private NpgsqlBatchCommand EnqueueCommand(EnqueueOperation enqueue, PreparedBatch prepared, DateTimeOffset now, string? traceParent, string? channel)
    {
        var command = new NpgsqlBatchCommand(BatchEnqueueSql);
        PostgresEventQueue.AddEnqueueParameters(command.Parameters, enqueue.QueueName, enqueue.Event, prepared.Serialized[enqueue.Event], now, traceParent, channel);
        return command;
    }

    private async Task<(Dictionary<string, long> Lengths, Dictionary<(string, string), long> Known)> ReadStateAsync(NpgsqlConnection connection,
        NpgsqlTransaction? transaction, PreparedBatch prepared, CancellationToken cancellationToken)
    {
        var streams = prepared.Appends.Select(a => a.StreamName).Distinct(StringComparer.Ordinal).ToArray();
        var pairs = prepared.Appends.SelectMany(a => a.Events.Select(e => (a.StreamName, e.EventId))).Distinct().ToArray();
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            // As in a single append's fallback: the read commits like a write, so that a batch found already written is
            // confirmed by a synchronous standby before it is reported as a success.
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {PostgresEventQueue.ConfirmCommit}"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(StreamLengthsSql).With(streams, NpgsqlDbType.Array | NpgsqlDbType.Text));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(KnownEventsSql)
                .With(pairs.Select(p => p.StreamName).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(pairs.Select(p => p.EventId).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    lengths[reader.GetString(0)] = reader.GetInt64(1);
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                var known = new Dictionary<(string, string), long>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    known[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
                }

                return (lengths, known);
            }
        }
    }
}
