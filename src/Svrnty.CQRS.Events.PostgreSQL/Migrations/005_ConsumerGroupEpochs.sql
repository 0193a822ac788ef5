-- Version 5: consumer-group epochs (fencing, as Kafka's group generations).
--
-- Each time an instance takes a consumer group's lock (a session advisory lock), it adds one to the group's epoch here,
-- on the lock's own session. The hosted consumer's offset commits and transactional batches carry the epoch they were
-- made under and write only while it is still the group's epoch, checked in the same statement (the row is read FOR
-- SHARE, so a takeover waits for a commit in flight, and a commit after the takeover finds a newer epoch and fails).
-- A holder that lost its lock without knowing it can therefore never move the group's offset, nor commit a
-- transactional handler's effects.

CREATE TABLE __schema__.consumer_group_epochs (
    stream_name    text        NOT NULL,
    consumer_group text        NOT NULL,
    epoch          bigint      NOT NULL,
    acquired_at    timestamptz NOT NULL,                    -- when the current holder took the group
    CONSTRAINT pk_consumer_group_epochs PRIMARY KEY (stream_name, consumer_group)
);
