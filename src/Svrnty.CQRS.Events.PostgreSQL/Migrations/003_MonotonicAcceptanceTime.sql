-- Version 3: acceptance times never decrease along a stream.
--
-- An appender reads the application's clock before it waits for the stream's row lock, so an append that waited could
-- store an earlier created_at than the append it waited for, at a later offset; a subscription or replay started from
-- a timestamp (the first event accepted at or after it) would then skip the event before it. The row lock serialises
-- appenders, so the stream's row now keeps the latest acceptance time (updated_at) and an append stores the later of
-- that and its own clock reading. The store's append statement does the same; this is its fallback function.

CREATE OR REPLACE FUNCTION __schema__.append_events(
    p_stream_name     text,
    p_expected_length bigint,
    p_event_ids       text[],
    p_event_types     text[],
    p_correlation_ids text[],
    p_data            jsonb[],
    p_occurred_at     timestamptz[],
    p_now             timestamptz,
    p_notify_channel  text,
    p_trace_parent    text)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v_count  bigint := cardinality(p_event_ids);
    v_length bigint;
    v_fresh  bigint;
    v_at     timestamptz;
BEGIN
    -- Creates or locks the stream's row and reserves v_count offsets, in one row version. Appenders to the same stream
    -- wait here, one after the other.
    INSERT INTO __schema__.streams AS s (stream_name, next_offset, created_at, updated_at)
    VALUES (p_stream_name, v_count, p_now, p_now)
    ON CONFLICT (stream_name) DO UPDATE SET next_offset = s.next_offset + excluded.next_offset,
                                            updated_at = greatest(s.updated_at, excluded.updated_at)
    RETURNING s.next_offset - v_count, s.updated_at INTO v_length, v_at;

    IF p_expected_length IS NOT NULL AND p_expected_length <> v_length THEN
        -- A retried write whose events are all there already succeeds whatever the expected length says.
        IF (SELECT count(*) FROM __schema__.events e
            WHERE e.stream_name = p_stream_name AND e.event_id = ANY (p_event_ids)) = v_count THEN
            UPDATE __schema__.streams SET next_offset = v_length WHERE stream_name = p_stream_name;
            RETURN (SELECT e.stream_offset FROM __schema__.events e
                    WHERE e.stream_name = p_stream_name AND e.event_id = p_event_ids[v_count]);
        END IF;

        -- The message is the actual length alone: Npgsql redacts DETAIL unless 'Include Error Detail' is set.
        -- Raising rolls back the statement, the reservation above included.
        RAISE EXCEPTION USING ERRCODE = 'SVC01', MESSAGE = v_length::text;
    END IF;

    -- A new statement, so a new snapshot: it sees every append committed before this one took the row lock. Events
    -- already in the stream are skipped; row_number() counts only the others, so the offsets stay contiguous.
    INSERT INTO __schema__.events
        (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent)
    SELECT p_stream_name, v_length + row_number() OVER (ORDER BY b.ord) - 1,
           b.event_id, b.event_type, b.correlation_id, b.data, b.occurred_at, v_at, p_trace_parent
    FROM unnest(p_event_ids, p_event_types, p_correlation_ids, p_data, p_occurred_at)
         WITH ORDINALITY AS b(event_id, event_type, correlation_id, data, occurred_at, ord)
    WHERE NOT EXISTS (
        SELECT 1 FROM __schema__.events e WHERE e.stream_name = p_stream_name AND e.event_id = b.event_id);
    GET DIAGNOSTICS v_fresh = ROW_COUNT;

    IF v_fresh < v_count THEN
        -- Some (or all) were there already: give back the offsets reserved for them.
        UPDATE __schema__.streams SET next_offset = v_length + v_fresh WHERE stream_name = p_stream_name;
        IF v_fresh = 0 THEN
            RETURN (SELECT e.stream_offset FROM __schema__.events e
                    WHERE e.stream_name = p_stream_name AND e.event_id = p_event_ids[v_count]);
        END IF;
    END IF;

    IF p_notify_channel IS NOT NULL THEN
        PERFORM pg_notify(p_notify_channel, 's' || p_stream_name);
    END IF;

    RETURN v_length + v_fresh - 1;
END;
$$;

