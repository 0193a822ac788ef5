-- Version 2: live notifications, trace context carried from producers to consumers, and parked events.

-- The W3C traceparent of the operation that appended or enqueued, so a consumer's span continues the producer's trace.
ALTER TABLE __schema__.events ADD COLUMN trace_parent text NULL;
ALTER TABLE __schema__.queue_messages ADD COLUMN trace_parent text NULL;
ALTER TABLE __schema__.dead_letters ADD COLUMN trace_parent text NULL;

-- append_events gains p_notify_channel: when not null, the append sends NOTIFY <channel> with payload
-- 's' || stream_name at commit, so subscriptions wake up at once instead of waiting for their poll interval;
-- and p_trace_parent, stored with every event of the batch.
-- It also writes the stream's row once per append instead of twice: the statement that takes the row lock reserves
-- the batch's offsets at the same time (next_offset + batch size). Only the rare paths put the counter back: some or
-- all events already in the stream (an idempotent retry). A wrong expected length raises, and the raise rolls the
-- reservation back with everything else, so nothing is written.
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
    v_count  bigint := cardinality(p_event_ids);
    v_length bigint;
    v_fresh  bigint;
BEGIN
    -- Creates or locks the stream's row and reserves v_count offsets, in one row version. Appenders to the same stream
    -- wait here, one after the other.
    INSERT INTO __schema__.streams AS s (stream_name, next_offset, created_at, updated_at)
    VALUES (p_stream_name, v_count, p_now, p_now)
    ON CONFLICT (stream_name) DO UPDATE SET next_offset = s.next_offset + excluded.next_offset, updated_at = excluded.updated_at
    RETURNING s.next_offset - v_count INTO v_length;

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
           b.event_id, b.event_type, b.correlation_id, b.data, b.occurred_at, p_now, p_trace_parent
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

-- The streams row is updated on every append; leaving half of each page free keeps that update HOT (no index
-- entry, pruned in place) on a page that holds many hot streams.
ALTER TABLE __schema__.streams SET (fillfactor = 50);

-- A dequeue in one statement in the common case: lease the oldest visible message if it has delivery attempts left.
-- Only when that finds nothing (an empty queue, or a head message that used every attempt) does the version-1 loop
-- run, dead-lettering exhausted messages on the way. Same semantics as version 1.
CREATE OR REPLACE FUNCTION __schema__.dequeue(
    p_queue_name    text,
    p_consumer_id   text,
    p_now           timestamptz,
    p_visible_until timestamptz)
RETURNS SETOF __schema__.queue_messages
LANGUAGE plpgsql
AS $$
DECLARE
    v_max_attempts integer;
    v_message      __schema__.queue_messages;
BEGIN
    RETURN QUERY
    UPDATE __schema__.queue_messages q
    SET delivery_count = q.delivery_count + 1, holder = p_consumer_id, visible_at = p_visible_until
    -- A scalar subquery (an InitPlan), so it runs once; in FROM it could be rescanned per row of a join.
    WHERE q.queue_name = p_queue_name AND q.event_id = (
              SELECT h.event_id FROM __schema__.queue_messages h
              WHERE h.queue_name = p_queue_name AND h.visible_at <= p_now
              ORDER BY h.seq
              LIMIT 1
              FOR UPDATE SKIP LOCKED)
      AND q.delivery_count < coalesce(
          (SELECT c.max_delivery_attempts FROM __schema__.stream_configurations c WHERE c.stream_name = p_queue_name), 5)
    RETURNING q.*;
    IF FOUND THEN
        RETURN;
    END IF;

    -- The head (still locked by this transaction if it was exhausted) and any exhausted message behind it.
    SELECT c.max_delivery_attempts INTO v_max_attempts
    FROM __schema__.stream_configurations c WHERE c.stream_name = p_queue_name;
    v_max_attempts := coalesce(v_max_attempts, 5);

    LOOP
        SELECT * INTO v_message
        FROM __schema__.queue_messages q
        WHERE q.queue_name = p_queue_name AND q.visible_at <= p_now
        ORDER BY q.seq
        LIMIT 1
        FOR UPDATE SKIP LOCKED;

        IF NOT FOUND THEN
            RETURN;
        END IF;

        IF v_message.delivery_count < v_max_attempts THEN
            RETURN QUERY
            UPDATE __schema__.queue_messages q
            SET delivery_count = q.delivery_count + 1, holder = p_consumer_id, visible_at = p_visible_until
            WHERE q.queue_name = p_queue_name AND q.event_id = v_message.event_id
            RETURNING q.*;
            RETURN;
        END IF;

        PERFORM __schema__.dead_letter(v_message,
            format('MaxDeliveryAttempts reached after %s deliveries', v_message.delivery_count), p_now);
    END LOOP;
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
