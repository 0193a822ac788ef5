-- Version 2: the log streams ($all and one per category), numbered as events become visible.
--
-- An append inserts one row into log_pending in its own transaction, so the row becomes visible exactly when the
-- events do. A sequencer step (Streams/PostgresEventStreamStore.Logs.cs), run by log readers before they read and by a
-- background loop, takes every visible pending row under a transaction-scoped advisory lock and gives its events the
-- next positions of $all and of their category's log, in one transaction. So positions are gapless, each stream's
-- order is kept, a batch's events are contiguous, and a late commit gets a later position: a reader that has passed
-- position p never misses an event that commits afterwards. Appenders never take that lock.

CREATE TABLE __schema__.log_pending (
    stream_name  text    NOT NULL,
    first_offset bigint  NOT NULL,
    event_count  integer NOT NULL,
    category     text    NULL,                              -- the part of stream_name before its first '-', if any
    seq          bigint  GENERATED ALWAYS AS IDENTITY,      -- insert order: the order within one sequencer step
    CONSTRAINT pk_log_pending PRIMARY KEY (stream_name, first_offset)
);

-- One row per log stream: its length (positions ever assigned).
CREATE TABLE __schema__.logs (
    log_name      text        NOT NULL,
    next_position bigint      NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT pk_logs PRIMARY KEY (log_name)
);

-- Each event's positions: in $all, and in its category's log. Deleted with the event by retention.
CREATE TABLE __schema__.event_positions (
    stream_name       text   NOT NULL,
    stream_offset     bigint NOT NULL,
    all_position      bigint NOT NULL,
    category          text   NULL,
    category_position bigint NULL,
    CONSTRAINT pk_event_positions PRIMARY KEY (stream_name, stream_offset)
);

CREATE UNIQUE INDEX ux_event_positions_all ON __schema__.event_positions (all_position) INCLUDE (stream_name, stream_offset);
CREATE UNIQUE INDEX ux_event_positions_category ON __schema__.event_positions (category, category_position)
    INCLUDE (stream_name, stream_offset) WHERE category IS NOT NULL;
