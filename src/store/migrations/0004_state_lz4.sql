-- The state checkpoint of a wide loop holds its items and results (tens of KB) and is rewritten every 512
-- events; lz4 compresses it several times faster than PostgreSQL's default, pglz (14% of PostgreSQL's CPU
-- in a 10,000-item fan-out). A server built without lz4 (PGlite among them) keeps pglz.
DO $$
BEGIN
  ALTER TABLE execution ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$$;
