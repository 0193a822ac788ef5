using System.Globalization;
using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Serialization;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>The parts of a batch write that are not statements: how a failure is recognised, and the batch prepared
/// (serialized, sorted by kind) before any I/O.</summary>
internal sealed partial class PostgresEventStreamStore
{
    /// <summary>The transaction's connection, or null once the transaction completed (Npgsql refuses to run commands
    /// in it then, which is what the probe asks).</summary>
    private static NpgsqlConnection? OpenConnectionOf(NpgsqlTransaction transaction)
    {
        try
        {
            if (transaction.Connection is not { } connection)
            {
                return null;
            }

            using var probe = new NpgsqlBatch(connection, transaction);
            return connection;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool IsAppendConflict(PostgresException e) =>
        e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: EventIdConstraint }
        || (e.SqlState == PostgresErrorCodes.InvalidTextRepresentation && e.MessageText.Contains(AppendStatements.ExpectedLengthMarker, StringComparison.Ordinal));

    private static int? LeaseLost(PostgresException e)
    {
        if (e.SqlState != PostgresErrorCodes.InvalidTextRepresentation)
        {
            return null;
        }

        var at = e.MessageText.IndexOf(LeaseLostMarker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var digits = e.MessageText[(at + LeaseLostMarker.Length)..].TakeWhile(char.IsAsciiDigit).ToArray();
        return int.Parse(digits, CultureInfo.InvariantCulture);
    }

    /// <summary>A batch with its events serialized (before any I/O: an event that cannot be stored fails the batch
    /// with nothing written) and its operations sorted by kind.</summary>
    private sealed class PreparedBatch
    {
        public PreparedBatch(EventBatch batch, EventSerializer serializer)
        {
            Operations = batch.Operations;
            Appends = Operations.OfType<AppendOperation>().ToArray();
            Acknowledgements = Operations.OfType<AcknowledgeOperation>().ToArray();
            HasQueueOperations = Operations.Any(o => o is EnqueueOperation or AcknowledgeOperation);
            foreach (var operation in Operations)
            {
                switch (operation)
                {
                    case AppendOperation append:
                        foreach (var e in append.Events)
                        {
                            Serialized[e] = serializer.Serialize(e, "events");
                        }

                        break;
                    case EnqueueOperation enqueue:
                        Serialized[enqueue.Event] = serializer.Serialize(enqueue.Event, "event");
                        break;
                }
            }
        }

        public IReadOnlyList<EventBatchOperation> Operations { get; }

        public IReadOnlyList<AppendOperation> Appends { get; }

        public IReadOnlyList<AcknowledgeOperation> Acknowledgements { get; }

        public bool HasQueueOperations { get; }

        public Dictionary<ICorrelatedEvent, SerializedEvent> Serialized { get; } = new(ReferenceEqualityComparer.Instance);
    }
}
