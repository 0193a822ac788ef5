using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.Diagnostics;
using Svrnty.CQRS.Events.PostgreSQL.Execution;
using Svrnty.CQRS.Events.Serialization;
using Svrnty.CQRS.Events.Streams;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

/// <summary>
/// The PostgreSQL stream store (the queue half of <see cref="IEventStreamStore"/> is <c>Queues/PostgresEventQueue</c>).
/// Each operation is one statement, built once per schema in the partial file of its operation
/// (<c>PostgresEventStreamStore.Append.cs</c>, <c>.Read.cs</c>) and run through the <see cref="PostgresExecutor"/>; an
/// append that meets a conflict or a known event id takes a second and third on the same connection. The hot paths use
/// Npgsql directly with typed parameters.
/// </summary>
internal sealed partial class PostgresEventStreamStore(
    PostgresExecutor executor, EventSerializer serializer, TimeProvider time, EventStreamingTelemetry telemetry, IEventQueue queue)
    : EventStreamStoreBase(telemetry, queue)
{
    private readonly string _schema = executor.Database.Schema;

    protected override string SystemName => "postgresql";

    private DateTimeOffset Now() => time.GetUtcNow();
}
