using Npgsql;
using Svrnty.CQRS.Events.Abstractions;
using Svrnty.CQRS.Events.PostgreSQL.Execution;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

internal sealed partial class PostgresEventStreamStore
{
    // Offsets are contiguous from the oldest retained event (retention deletes a prefix), so a page lies within
    // [max(from, oldest), max(from, oldest) + count). Bounding the range both ways keeps a page read at most count rows
    // whatever plan the server picks: with stale statistics (a stream that grew since the last ANALYZE) it can choose a
    // bitmap scan of everything from the offset on, then a sort.
    private string ReadSql => field ??= $"""
        SELECT stream_offset, stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent
        FROM {_schema}.events
        WHERE stream_name = $1 AND stream_offset >= $2
          AND stream_offset < least(greatest($2, (SELECT min(o.stream_offset) FROM {_schema}.events o WHERE o.stream_name = $1)),
                                    9223372036854775807 - $3) + $3
        ORDER BY stream_offset LIMIT $3
        """;

    private string LengthSql => field ??= $"SELECT next_offset FROM {_schema}.streams WHERE stream_name = $1";

    // The first event accepted at or after $2; acceptance times never go back along a stream (see Append.cs).
    private string FindOffsetSql => field ??= $"""
        SELECT coalesce(
            (SELECT stream_offset FROM {_schema}.events WHERE stream_name = $1 AND created_at >= $2 ORDER BY created_at, stream_offset LIMIT 1),
            (SELECT next_offset FROM {_schema}.streams WHERE stream_name = $1),
            0)
        """;

    private string MetadataSql => field ??= $"""
        SELECT st.next_offset, o.stream_offset, o.created_at, n.stream_offset, n.created_at
        FROM {_schema}.streams st
        LEFT JOIN LATERAL (SELECT e.stream_offset, e.created_at FROM {_schema}.events e
                           WHERE e.stream_name = st.stream_name ORDER BY e.stream_offset LIMIT 1) o ON true
        LEFT JOIN LATERAL (SELECT e.stream_offset, e.created_at FROM {_schema}.events e
                           WHERE e.stream_name = st.stream_name ORDER BY e.stream_offset DESC LIMIT 1) n ON true
        WHERE st.stream_name = $1
        """;

    protected override Task<IReadOnlyList<StoredEvent>> ReadStreamCoreAsync(string streamName, long fromOffset, int maxCount,
        CancellationToken cancellationToken) =>
        LogStreams.IsLog(streamName) ? ReadLogAsync(streamName, fromOffset, maxCount, cancellationToken) : executor.RunAsync("read", Repeat.Safe, ReadSql, async (command, ct) =>
        {
            command.With(streamName).With(fromOffset).With((long)maxCount);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var events = new List<StoredEvent>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    events.Add(ReadEvent(reader));
                }

                return (IReadOnlyList<StoredEvent>)events;
            }
        }, cancellationToken);

    /// <summary>An event row as both stream and log reads select it: position, stream, offset, id, type, correlation
    /// id, data, occurred at, accepted at, trace parent.</summary>
    private StoredEvent ReadEvent(NpgsqlDataReader reader)
    {
        var eventId = reader.GetString(3);
        var eventType = reader.GetString(4);
        var correlationId = reader.GetNullableString(5);
        var json = reader.GetString(6);
        return new StoredEvent
        {
            StreamName = reader.GetString(1),
            Offset = reader.GetInt64(2),
            Position = reader.GetInt64(0),
            EventId = eventId,
            EventType = eventType,
            CorrelationId = correlationId,
            Event = serializer.Deserialize(eventType, json, eventId, correlationId, reader.GetTimestamp(7)),
            Json = json,
            Timestamp = reader.GetTimestamp(8),
            TraceParent = reader.GetNullableString(9),
        };
    }

    protected override Task<long> GetStreamLengthCoreAsync(string streamName, CancellationToken cancellationToken) =>
        LogStreams.IsLog(streamName) ? GetLogLengthAsync(streamName, cancellationToken) : executor.RunAsync("length", Repeat.Safe, LengthSql, async (command, ct) =>
        {
            command.With(streamName);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long length ? length : 0;
        }, cancellationToken);

    protected override Task<long> FindOffsetCoreAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken) =>
        LogStreams.IsLog(streamName) ? FindLogPositionAsync(streamName, timestamp, cancellationToken) : executor.RunAsync("find_offset", Repeat.Safe, FindOffsetSql, async (command, ct) =>
        {
            command.With(streamName).With(timestamp.Utc());
            return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    protected override Task<StreamMetadata> GetStreamMetadataCoreAsync(string streamName, CancellationToken cancellationToken) =>
        LogStreams.IsLog(streamName) ? GetLogMetadataAsync(streamName, cancellationToken) : executor.RunAsync("metadata", Repeat.Safe, MetadataSql, async (command, ct) =>
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
