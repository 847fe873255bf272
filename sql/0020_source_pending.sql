-- 0020: the storing transaction no longer reads a report's records back to
-- queue their source addresses (0016). The report's own INSERT adds one
-- source_pending row per stored report that names sources (no round trip of
-- its own), and the enrichment worker turns those rows
-- into source_queue addresses (rua_expand_source_pending) off the SMTP path.
-- Reading the records back cost the answer to a large report 0.74 s per
-- 100,000 records (issue 9); one row per report costs what the old statement
-- cost for a report of a few records.
--
-- kind is the report kind's name ('aggregate', 'failure'); report_id the id
-- in that kind's report table. A report deleted before the worker comes
-- (retention, a displaced copy) expands to nothing.
CREATE TABLE source_pending (
    kind      text        NOT NULL CHECK (kind IN ('aggregate', 'failure')),
    report_id bigint      NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, report_id)
);
CREATE INDEX source_pending_queued_idx ON source_pending (queued_at);

-- Takes up to max_reports pending reports (oldest first, SKIP LOCKED: two
-- workers share the table), queues the distinct source addresses of their
-- records that have no unexpired source_host row (in address order, so that
-- two workers never wait for each other in a cycle) and deletes the pending
-- rows. Returns the number of reports taken.
CREATE FUNCTION rua_expand_source_pending(max_reports integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    taken integer;
BEGIN
    WITH t AS (
        DELETE FROM source_pending p
         USING (SELECT kind, report_id FROM source_pending
                 ORDER BY queued_at, kind, report_id
                 LIMIT max_reports FOR UPDATE SKIP LOCKED) s
         WHERE p.kind = s.kind AND p.report_id = s.report_id
        RETURNING p.kind, p.report_id),
    src AS (
        SELECT r.source_ip AS ip
          FROM t JOIN aggregate_report a ON t.kind = 'aggregate' AND a.id = t.report_id
          JOIN aggregate_record r ON r.report_id = a.id AND r.date_begin = a.date_begin
        UNION
        SELECT f.source_ip
          FROM t JOIN failure_report f ON t.kind = 'failure' AND f.id = t.report_id
         WHERE f.source_ip IS NOT NULL),
    queued AS (
        INSERT INTO source_queue (ip)
        SELECT src.ip FROM src
         WHERE NOT EXISTS (SELECT 1 FROM source_host h
                            WHERE h.ip = src.ip AND h.expires_at > now())
         ORDER BY 1
        ON CONFLICT DO NOTHING)
    SELECT count(*) INTO taken FROM t;
    RETURN taken;
END
$$;

-- Addresses queued by 0016's statement stay in source_queue; nothing to move.
