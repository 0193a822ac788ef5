using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Resilience;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

internal sealed partial class PostgresEventStreamStore
{
    private readonly string _readSql;
    private readonly string _lengthSql;
    private readonly string _metadataSql;
    private readonly string _findOffsetSql;

    protected override Task<IReadOnlyList<StoredEvent>> ReadStreamCoreAsync(string streamName, long fromOffset, int maxCount,
        CancellationToken cancellationToken) =>
        RunAsync("read", Repeat.Safe, _readSql, async (command, ct) =>
        {
            command.With(streamName).With(fromOffset).With((long)maxCount);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var events = new List<StoredEvent>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var eventId = reader.GetString(1);
                    var eventType = reader.GetString(2);
                    var correlationId = reader.GetNullableString(3);
                    events.Add(new StoredEvent
                    {
                        StreamName = streamName,
                        Offset = reader.GetInt64(0),
                        EventId = eventId,
                        EventType = eventType,
                        CorrelationId = correlationId,
                        // As UTF-8 bytes: System.Text.Json reads those directly, where a string would be decoded and re-encoded.
                        Event = _serializer.Deserialize(eventType, reader.GetFieldValue<byte[]>(4), eventId, correlationId, reader.GetTimestamp(5)),
                        Timestamp = reader.GetTimestamp(6),
                        TraceParent = reader.GetNullableString(7),
                    });
                }

                return (IReadOnlyList<StoredEvent>)events;
            }
        }, cancellationToken);

    protected override Task<long> GetStreamLengthCoreAsync(string streamName, CancellationToken cancellationToken) =>
        RunAsync("length", Repeat.Safe, _lengthSql, async (command, ct) =>
        {
            command.With(streamName);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long length ? length : 0;
        }, cancellationToken);

    protected override Task<long> FindOffsetCoreAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken) =>
        RunAsync("find_offset", Repeat.Safe, _findOffsetSql, async (command, ct) =>
        {
            command.With(streamName).With(timestamp.Utc());
            return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    protected override Task<StreamMetadata> GetStreamMetadataCoreAsync(string streamName, CancellationToken cancellationToken) =>
        RunAsync("metadata", Repeat.Safe, _metadataSql, async (command, ct) =>
        {
            command.With(streamName);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    return new StreamMetadata { StreamName = streamName, Exists = false, Length = 0, RetainedCount = 0 };
                }

                var length = reader.GetInt64(0);
                long? oldest = reader.IsDBNull(1) ? null : reader.GetInt64(1);
                long? newest = reader.IsDBNull(3) ? null : reader.GetInt64(3);
                return new StreamMetadata
                {
                    StreamName = streamName,
                    Exists = length > 0,
                    Length = length,
                    // Retention deletes a prefix, so the retained events are exactly the offsets oldest..newest.
                    RetainedCount = oldest is null ? 0 : newest!.Value - oldest.Value + 1,
                    OldestEventOffset = oldest,
                    NewestEventOffset = newest,
                    OldestEventTimestamp = oldest is null ? null : reader.GetTimestamp(2),
                    NewestEventTimestamp = newest is null ? null : reader.GetTimestamp(4),
                };
            }
        }, cancellationToken);
}
