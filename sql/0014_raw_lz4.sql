-- 0014: attachments in raw_report are compressed with lz4 instead of pglz,
-- PostgreSQL's default. A plain-XML report of 20 MB took pglz about twice
-- as long to compress as lz4 (psql, INSERT of the same 19,956,775 bytes
-- from a large object, fsync on: 463 ms against 311 ms with the sha256
-- column; 275 against 172 without it, noisy 2-core machine), for 1.60 MB
-- stored against 1.74 MB. Gzip and zip attachments are not compressible and
-- either method gives up on them early. New partitions take the parent's
-- setting; the existing ones are altered here (the parent's ALTER does not
-- reach them). Only values written from now on are compressed with lz4; old
-- ones stay as they are and read as before. A server built without lz4
-- keeps pglz (checked first, so this migration never fails for it).
DO $$
DECLARE
    part regclass;
BEGIN
    BEGIN
        PERFORM set_config('default_toast_compression', 'lz4', true);
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE NOTICE 'this PostgreSQL has no lz4: raw_report keeps pglz';
        RETURN;
    END;
    FOR part IN SELECT relid FROM pg_partition_tree('raw_report') LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN data SET COMPRESSION lz4', part);
    END LOOP;
END $$;
