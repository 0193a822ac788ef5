-- Version 2: live notifications, trace context carried from producers to consumers, and parked events.

-- The W3C traceparent of the operation that appended or enqueued, so a consumer's span continues the producer's trace.
ALTER TABLE __schema__.events ADD COLUMN trace_parent text NULL;
ALTER TABLE __schema__.queue_messages ADD COLUMN trace_parent text NULL;
ALTER TABLE __schema__.dead_letters ADD COLUMN trace_parent text NULL;

-- append_events gains p_notify_channel: when not null, the append sends NOTIFY <channel> with payload
-- 's' || stream_name at commit, so subscriptions wake up at once instead of waiting for their poll interval;
-- and p_trace_parent, stored with every event of the batch.
-- The 8-argument version of version 1 stays for instances still running the previous release during a rolling
-- upgrade; a later migration drops it.
CREATE FUNCTION __schema__.append_events(
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
    v_length   bigint;
    v_existing bigint;
    v_fresh    bigint;
BEGIN
    INSERT INTO __schema__.streams AS s (stream_name, next_offset, created_at, updated_at)
    VALUES (p_stream_name, 0, p_now, p_now)
    ON CONFLICT (stream_name) DO UPDATE SET next_offset = s.next_offset
    RETURNING s.next_offset INTO v_length;

    -- A new statement, so a new snapshot: it sees every append committed before this one took the row lock.
    SELECT count(*) INTO v_existing
    FROM __schema__.events e
    WHERE e.stream_name = p_stream_name AND e.event_id = ANY (p_event_ids);

    IF v_existing = cardinality(p_event_ids) THEN
        RETURN (SELECT e.stream_offset FROM __schema__.events e
                WHERE e.stream_name = p_stream_name AND e.event_id = p_event_ids[cardinality(p_event_ids)]);
    END IF;

    IF p_expected_length IS NOT NULL AND p_expected_length <> v_length THEN
        -- The message is the actual length alone: Npgsql redacts DETAIL unless 'Include Error Detail' is set.
        RAISE EXCEPTION USING ERRCODE = 'SVC01', MESSAGE = v_length::text;
    END IF;

    INSERT INTO __schema__.events
        (stream_name, stream_offset, event_id, event_type, correlation_id, data, occurred_at, created_at, trace_parent)
    SELECT p_stream_name, v_length + row_number() OVER (ORDER BY b.ord) - 1,
           b.event_id, b.event_type, b.correlation_id, b.data, b.occurred_at, p_now, p_trace_parent
    FROM unnest(p_event_ids, p_event_types, p_correlation_ids, p_data, p_occurred_at)
         WITH ORDINALITY AS b(event_id, event_type, correlation_id, data, occurred_at, ord)
    WHERE v_existing = 0 OR NOT EXISTS (
        SELECT 1 FROM __schema__.events e WHERE e.stream_name = p_stream_name AND e.event_id = b.event_id);
    GET DIAGNOSTICS v_fresh = ROW_COUNT;

    UPDATE __schema__.streams SET next_offset = v_length + v_fresh, updated_at = p_now
    WHERE stream_name = p_stream_name;

    IF p_notify_channel IS NOT NULL THEN
        PERFORM pg_notify(p_notify_channel, 's' || p_stream_name);
    END IF;

    RETURN v_length + v_fresh - 1;
END;
$$;

-- Dead letters keep the message's trace context.
CREATE OR REPLACE FUNCTION __schema__.dead_letter(
    p_message __schema__.queue_messages,
    p_reason  text,
    p_now     timestamptz)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM __schema__.queue_messages q
    WHERE q.queue_name = p_message.queue_name AND q.event_id = p_message.event_id;

    INSERT INTO __schema__.dead_letters AS d
        (queue_name, event_id, event_type, correlation_id, data, occurred_at, delivery_count, reason, dead_lettered_at, trace_parent)
    VALUES (p_message.queue_name, p_message.event_id, p_message.event_type, p_message.correlation_id, p_message.data,
            p_message.occurred_at, p_message.delivery_count, p_reason, p_now, p_message.trace_parent)
    ON CONFLICT (queue_name, event_id) DO UPDATE
    SET seq = DEFAULT, event_type = excluded.event_type, correlation_id = excluded.correlation_id, data = excluded.data,
        occurred_at = excluded.occurred_at, delivery_count = excluded.delivery_count, reason = excluded.reason,
        dead_lettered_at = excluded.dead_lettered_at, trace_parent = excluded.trace_parent;
END;
$$;

-- Events a hosted stream consumer gave up on after its retries, recorded with the error so consumption continues.
CREATE TABLE __schema__.parked_events (
    stream_name    text        NOT NULL,
    consumer_group text        NOT NULL,
    stream_offset  bigint      NOT NULL,
    event_id       text        NOT NULL,
    attempts       integer     NOT NULL,
    error          text        NOT NULL,
    parked_at      timestamptz NOT NULL,
    CONSTRAINT pk_parked_events PRIMARY KEY (stream_name, consumer_group, stream_offset)
);
