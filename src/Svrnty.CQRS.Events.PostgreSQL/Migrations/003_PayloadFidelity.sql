-- Payloads exactly as written. jsonb parses a payload into a binary form and prints it back: key order, whitespace,
-- duplicate keys and the spelling of numbers change, so a payload could not be returned byte for byte. json keeps the
-- text as given and only checks that it is JSON (docs/benchmarks.md compares the types; the application checks too, so
-- both backends accept the same payloads, all of which jsonb could also represent).
-- The GIN index on the payload is no longer part of the schema: it is the largest cost of a batch append and the
-- library never queries payloads. It becomes an option (EnablePayloadIndex), built and dropped CONCURRENTLY outside
-- any migration transaction, as an expression index on data::jsonb (docs/postgresql.md). Here it is dropped from every
-- database: an index on a jsonb column cannot survive the change of type, and the option builds its own again.
DROP INDEX IF EXISTS __schema__.ix_events_data;

ALTER TABLE __schema__.events ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE __schema__.queue_messages ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE __schema__.dead_letters ALTER COLUMN data TYPE json USING data::json;
