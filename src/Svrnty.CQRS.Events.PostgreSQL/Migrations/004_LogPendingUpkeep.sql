-- Version 4: log_pending stays small under a steady stream of appends.
--
-- Every append inserts one row into log_pending and a sequencer step deletes it moments later, so the table holds a
-- handful of live rows and, until a vacuum, every dead one since the last. The step's pending check and its DELETE
-- read those dead rows: with the defaults (a vacuum when 20% of a near-empty table is dead, and autovacuum looking once
-- a minute) a busy store made each step read a minute's worth of appends, hundreds of pages. The sequencer now
-- vacuums the table itself every few seconds while appends arrive (Streams/LogSequencerService.cs); these settings are
-- the fallback when it cannot (a runtime role that does not own the table):
--   - autovacuum after a fixed number of dead rows, not a fraction of a table that is nearly always empty;
--   - no truncation: truncating takes an ACCESS EXCLUSIVE lock on the table, which every append waits for. The
--     sequencer truncates only when the table has grown large (after a long transaction held its dead rows back).
ALTER TABLE __schema__.log_pending SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0,
    vacuum_truncate = false);
