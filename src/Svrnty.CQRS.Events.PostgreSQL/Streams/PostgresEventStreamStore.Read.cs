using Svrnty.CQRS.Events.Abstractions;

namespace Svrnty.CQRS.Events.PostgreSQL.Streams;

internal sealed partial class PostgresEventStreamStore
{
    private readonly string _readSql;
    private readonly string _lengthSql;
    private readonly string _metadataSql;
    private readonly string _findOffsetSql;

    protected override async Task<IReadOnlyList<StoredEvent>> ReadStreamCoreAsync(string streamName, long fromOffset, int maxCount,
        CancellationToken cancellationToken)
    {
        var command = await CommandAsync(_readSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName).With(fromOffset).With((long)maxCount);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var events = new List<StoredEvent>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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
                        Event = _serializer.Deserialize(eventType, reader.GetString(4), eventId, correlationId, reader.GetTimestamp(5)),
                        Timestamp = reader.GetTimestamp(6),
                        TraceParent = reader.GetNullableString(7),
                    });
                }

                return events;
            }
        }
    }

    protected override async Task<long> GetStreamLengthCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(_lengthSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long length ? length : 0;
        }
    }

    protected override async Task<long> FindOffsetCoreAsync(string streamName, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(_findOffsetSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName).With(timestamp.Utc());
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    protected override async Task<StreamMetadata> GetStreamMetadataCoreAsync(string streamName, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(_metadataSql, cancellationToken).ConfigureAwait(false);
        await using (command.ConfigureAwait(false))
        {
            command.With(streamName);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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
        }
    }
}
