-- 0003: DMARC aggregate reports as received: the raw attachment (kept once per
-- sha256), one aggregate_report row per report, its records with every DKIM/SPF
-- auth result and override reason. Written only by Store::store, one
-- transaction per message; records arrive through one COPY per message, so
-- they are keyed by (report_id, ordinal) and need no id round trip.
--
-- Enumerations (disposition, dkim, spf, p, ...) are plain text without CHECKs:
-- senders invent values, and the parser keeps them lower-cased and flags the
-- unknown ones in warnings. Nothing here may reject a report the parser
-- accepted, except values no column can hold (NUL bytes, counts past bigint).
--
-- Retention and partitioning. aggregate_record is NOT partitioned. Volumes: a
-- busy domain receives a few hundred reports a day, most with fewer than 100
-- records; even 10^6 records a day is ~365M rows a year, which plain btree
-- indexes serve well, and the milter's write path (one COPY per message) gains
-- nothing from partitions. Retention is by report, not by month: every record
-- hangs off aggregate_report and is deleted with it (a trigger, below), so
--
--     DELETE FROM aggregate_report WHERE date_end < now() - interval '400 days';
--     DELETE FROM raw_report r
--      WHERE NOT EXISTS (SELECT 1 FROM aggregate_report a WHERE a.raw_report_id = r.id);
--
-- removes old reports and their records, then the attachments no
-- report refers to any more. Revisit (monthly partitions of aggregate_record by
-- date_begin, dropped instead of deleted) only past ~10^9 rows.

-- The attachment exactly as it came (still compressed). The same attachment
-- delivered twice (to two rua addresses, or re-sent) is kept once.
CREATE TABLE raw_report (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    data         bytea       NOT NULL,
    sha256       bytea       GENERATED ALWAYS AS (sha256(data)) STORED UNIQUE,
    size         bigint      GENERATED ALWAYS AS (octet_length(data)) STORED,
    content_type text,
    filename     text,                          -- sanitised by the parser: no path
    format       text        NOT NULL,          -- 'xml', 'gzip', 'zip', 'zlib'
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE aggregate_report (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- report_metadata
    org_name           text,
    email              text,
    extra_contact_info text,
    report_id          text        NOT NULL,    -- text: Google's ids exceed 2^53
    date_begin         timestamptz NOT NULL,
    date_end           timestamptz NOT NULL,
    errors             text[]      NOT NULL DEFAULT '{}',
    generator          text,
    -- policy_published
    domain             text        NOT NULL,    -- the policy domain
    adkim              text,
    aspf               text,
    p                  text,
    sp                 text,
    np                 text,
    pct                integer,
    fo                 text,
    testing            text,
    discovery_method   text,
    -- how the parser saw it
    schema_flavour     text        NOT NULL,    -- 'rfc7489', 'draft', 'rfc9990'
    xml_namespace      text,
    warnings           text[]      NOT NULL DEFAULT '{}',
    -- how it reached us
    received_at        timestamptz NOT NULL DEFAULT now(),
    via                text        NOT NULL CHECK (via IN ('smtp', 'import')),
    rua                text,
    file               text,
    queue_id           text,
    raw_report_id      bigint      REFERENCES raw_report (id) ON DELETE SET NULL,
    raw_sha256         bytea,
    -- sha256 of the report's content in a fixed encoding (Store: fingerprint.cpp):
    -- every metadata, policy and record field, nothing about how it arrived. Same
    -- key and same fingerprint: a duplicate; same key, other fingerprint: a conflict.
    fingerprint        bytea       NOT NULL,
    record_count       integer     NOT NULL CHECK (record_count >= 0),
    message_count      bigint      NOT NULL CHECK (message_count >= 0),
    -- who sent it: org_name, else the domain of email (the parser already
    -- falls back the same way), lower-cased: part of the exactly-once key.
    reporter           text        GENERATED ALWAYS AS
                       (lower(coalesce(nullif(btrim(org_name), ''), split_part(email, '@', 2), ''))) STORED
);
-- Exactly once: a report is (reporter, report_id, policy domain, period).
-- Store::store inserts with ON CONFLICT (these five expressions) DO NOTHING.
CREATE UNIQUE INDEX aggregate_report_key
    ON aggregate_report (reporter, report_id, lower(domain), date_begin, date_end);
CREATE INDEX aggregate_report_domain_idx ON aggregate_report (lower(domain), date_begin);
CREATE INDEX aggregate_report_reporter_idx ON aggregate_report (reporter, date_begin);
CREATE INDEX aggregate_report_raw_idx ON aggregate_report (raw_report_id);

CREATE TABLE aggregate_record (
    -- aggregate_report.id; see "Records and their report" below: enforced by
    -- statement-level triggers, not a row-by-row FOREIGN KEY.
    report_id     bigint  NOT NULL,
    ordinal       integer NOT NULL,            -- 0-based position in the report
    source_ip     inet    NOT NULL,
    count         bigint  NOT NULL CHECK (count >= 0),
    disposition   text,                        -- policy_evaluated
    dkim          text,                        -- policy_evaluated: the aligned result
    spf           text,
    header_from   text,
    envelope_from text,
    envelope_to   text,
    dmarc_pass    boolean NOT NULL,            -- dkim = 'pass' OR spf = 'pass' as evaluated
    -- Lists kept whole, in the report's order, absent values as JSON null:
    --   reasons   [{"type": "forwarded", "comment": null}, ...]   (policy_evaluated)
    --   auth_dkim [{"domain", "selector", "result", "human_result"}, ...]
    --   auth_spf  [{"domain", "scope", "result", "human_result"}, ...]
    -- Query them with json_array_elements(auth_dkim) AS d, d->>'domain' (or
    -- cast to jsonb for containment: auth_dkim::jsonb @> '[{"result": "fail"}]').
    -- json rather than child tables: the per-row foreign-key checks of three
    -- child tables tripled the time to store a 20,000-record report, and the
    -- lists are only ever read with their record. json rather than jsonb:
    -- both validate on input, but building jsonb cost a quarter of the
    -- server's time in a 20,000-record COPY; json keeps the text as sent.
    reasons       json    NOT NULL DEFAULT '[]',
    auth_dkim     json    NOT NULL DEFAULT '[]',
    auth_spf      json    NOT NULL DEFAULT '[]',
    PRIMARY KEY (report_id, ordinal)
);
-- btree serves equality and, since PostgreSQL 12, source_ip << '192.0.2.0/24'.
CREATE INDEX aggregate_record_source_ip_idx ON aggregate_record (source_ip);

-- Records and their report. A FOREIGN KEY checks each inserted row with its
-- own query (a third of the server's time in a 20,000-record COPY), so the
-- same rule is enforced once per statement instead:
--  * inserting (or re-pointing) records locks their reports FOR KEY SHARE,
--    as a foreign key would, and fails with SQLSTATE 23503 if one is missing;
--  * deleting reports deletes their records (the retention query above
--    relies on it), truncating the reports empties the records;
--  * a report's id never changes (GENERATED ALWAYS; updating it is refused).
CREATE FUNCTION aggregate_record_check_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    -- One query: each distinct report, locked as a foreign key would lock it.
    SELECT count(*) FILTER (WHERE locked.id IS NULL) INTO missing
      FROM (SELECT DISTINCT report_id FROM new_records) AS n
      LEFT JOIN LATERAL (SELECT a.id FROM aggregate_report a
                          WHERE a.id = n.report_id FOR KEY SHARE) AS locked ON true;
    IF missing > 0 THEN
        RAISE EXCEPTION 'insert or update on table "aggregate_record" refers to a missing aggregate_report'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'aggregate_record';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER aggregate_record_report_exists_ins AFTER INSERT ON aggregate_record
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT
    EXECUTE FUNCTION aggregate_record_check_reports();
CREATE TRIGGER aggregate_record_report_exists_upd AFTER UPDATE ON aggregate_record
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT
    EXECUTE FUNCTION aggregate_record_check_reports();

CREATE FUNCTION aggregate_report_delete_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM aggregate_record WHERE report_id IN (SELECT id FROM old_reports);
    RETURN NULL;
END $$;
CREATE TRIGGER aggregate_report_cascade_delete AFTER DELETE ON aggregate_report
    REFERENCING OLD TABLE AS old_reports FOR EACH STATEMENT
    EXECUTE FUNCTION aggregate_report_delete_records();

CREATE FUNCTION aggregate_report_truncate_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- DELETE, not TRUNCATE: the latter fails when the same statement
    -- already truncates aggregate_record ("TRUNCATE aggregate_report,
    -- aggregate_record"); after that, this deletes nothing.
    DELETE FROM aggregate_record;
    RETURN NULL;
END $$;
CREATE TRIGGER aggregate_report_cascade_truncate AFTER TRUNCATE ON aggregate_report
    FOR EACH STATEMENT EXECUTE FUNCTION aggregate_report_truncate_records();

CREATE FUNCTION aggregate_report_keep_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'aggregate_report.id cannot change (its records refer to it)'
        USING ERRCODE = 'foreign_key_violation', TABLE = 'aggregate_report';
END $$;
CREATE TRIGGER aggregate_report_id_fixed BEFORE UPDATE OF id ON aggregate_report
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION aggregate_report_keep_id();
