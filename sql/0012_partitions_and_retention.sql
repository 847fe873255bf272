-- 0012: monthly partitions for the tables that grow with traffic, and what
-- retention needs: aggregate_record (partition key date_begin, the report's
-- begin month in UTC) and raw_report (partition key month, the UTC month of
-- arrival) become RANGE-partitioned, one partition per month plus a DEFAULT
-- partition that takes any month without one, so an insert never fails for
-- want of a partition (no 451 loop). `ruactl retention apply` (run daily by
-- rua-milter-retention.timer) creates the partitions ahead through
-- rua_partition_create and drops whole expired ones through
-- rua_retention_apply (both below). This replaces the retention by DELETE
-- sketched in 0003, which left a large provider's tables bloated.
--
-- What stays unpartitioned, and why:
--  * aggregate_report holds each report's exactly-once key (a unique index on
--    a partitioned table must include the partition key, and the key's period
--    is not a month). Retention never deletes it: an old report sent again is
--    still a duplicate. Its records go; aggregate_daily keeps their totals.
--  * tlsrpt_report/tlsrpt_policy/tlsrpt_failure and failure_report: a TLS
--    report carries a few policies and rarely more than a few dozen failure
--    details, and a failure report is one row; a busy domain gets orders of
--    magnitude fewer rows there than in aggregate_record (one row per source
--    address per reporter per day). Their foreign keys with ON DELETE CASCADE
--    stay, which partitioning tlsrpt_policy would forbid without a partition
--    key on tlsrpt_report. Their attachments live in raw_report and expire
--    with it.
--  * quarantine: small, purged by age (DELETE) by the same command.
--
-- Records and their report. The statement-level triggers of 0003 with
-- transition tables (REFERENCING NEW TABLE) are allowed on a partitioned
-- table in PostgreSQL 15 (only ROW triggers with transition tables are
-- refused, and only on partitions): they see the rows of every partition the
-- statement touched. They are created again on the new table, unchanged, so
-- the rule holds exactly as before (23503 for a record without its report;
-- deleting or truncating reports removes their records). A FOREIGN KEY from
-- the partitioned table was measured instead and not chosen. COPY of 20,000
-- records of one report (psql \copy, median of 7 in one run, fsync on, the
-- shared 2-core test machine): 0011's unpartitioned table with the trigger
-- 422 ms; partitioned with the trigger 481 ms, with a foreign key 607 ms,
-- with no check at all 302 ms. (With a statement-level insert trigger on a
-- partitioned table, COPY inserts row by row instead of in batches; the
-- foreign key's per-row query costs more.) A foreign key would also refuse
-- `TRUNCATE aggregate_report` alone.
--
-- Attachments and their reports. raw_report's primary key becomes (id,
-- month), so aggregate_report, tlsrpt_report, failure_report and
-- report_conflict can no longer have a FOREIGN KEY on raw_report(id): it is
-- dropped. raw_sha256 stays beside raw_report_id. Deleting raw_report rows
-- still sets the pointers to NULL (a statement trigger, as ON DELETE SET
-- NULL did), but dropping a raw partition does not: a report whose
-- attachment expired keeps a raw_report_id that points at nothing. Readers
-- join raw_report with LEFT JOIN (and may check raw_sha256).
--
-- Why ruactl and not postgresql-15-partman: one fewer package and extension
-- to install and upgrade, no background worker, no superuser needed (the
-- functions run as the tables' owner, the role that migrates the schema), and
-- the retention that drops a month must first roll its records up into
-- aggregate_daily, which partman's retention cannot do. Partitions are named
-- <table>_YYYY_MM (rua_partition_name); a partition of another name is never
-- created, moved or dropped by these functions.

-- The views of 0010 read aggregate_record: dropped here, created again
-- unchanged at the end over the partitioned table.
DROP VIEW v_report_summary;
DROP VIEW v_source_summary;
DROP VIEW v_daily_domain;

-- aggregate_record, partitioned. Same columns in the same order.
ALTER TABLE aggregate_record RENAME TO aggregate_record_unpartitioned;
ALTER TABLE aggregate_record_unpartitioned
    RENAME CONSTRAINT aggregate_record_pkey TO aggregate_record_unpartitioned_pkey;
ALTER TABLE aggregate_record_unpartitioned
    RENAME CONSTRAINT aggregate_record_count_check TO aggregate_record_unpartitioned_count_check;
ALTER INDEX aggregate_record_source_ip_idx RENAME TO aggregate_record_unpartitioned_source_ip_idx;

CREATE TABLE aggregate_record (
    report_id     bigint      NOT NULL,
    ordinal       integer     NOT NULL,
    source_ip     inet        NOT NULL,
    count         bigint      NOT NULL CHECK (count >= 0),
    disposition   text,
    dkim          text,
    spf           text,
    header_from   text,
    envelope_from text,
    envelope_to   text,
    dmarc_pass    boolean     NOT NULL,
    reasons       json        NOT NULL DEFAULT '[]',
    auth_dkim     json        NOT NULL DEFAULT '[]',
    auth_spf      json        NOT NULL DEFAULT '[]',
    date_begin    timestamptz NOT NULL,
    account_id    bigint,
    PRIMARY KEY (report_id, ordinal, date_begin)
) PARTITION BY RANGE (date_begin);
CREATE INDEX aggregate_record_source_ip_idx ON aggregate_record (source_ip);
CREATE TABLE aggregate_record_default PARTITION OF aggregate_record DEFAULT;

CREATE TRIGGER aggregate_record_report_exists_ins AFTER INSERT ON aggregate_record
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT
    EXECUTE FUNCTION aggregate_record_check_reports();
CREATE TRIGGER aggregate_record_report_exists_upd AFTER UPDATE ON aggregate_record
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT
    EXECUTE FUNCTION aggregate_record_check_reports();

-- raw_report, partitioned by month; ids keep coming from one identity.
ALTER TABLE aggregate_report DROP CONSTRAINT aggregate_report_raw_report_id_fkey;
ALTER TABLE tlsrpt_report DROP CONSTRAINT tlsrpt_report_raw_report_id_fkey;
ALTER TABLE failure_report DROP CONSTRAINT failure_report_raw_report_id_fkey;
ALTER TABLE report_conflict DROP CONSTRAINT report_conflict_raw_report_id_fkey;
ALTER TABLE raw_report RENAME TO raw_report_unpartitioned;
ALTER TABLE raw_report_unpartitioned
    RENAME CONSTRAINT raw_report_pkey TO raw_report_unpartitioned_pkey;
ALTER TABLE raw_report_unpartitioned
    RENAME CONSTRAINT raw_report_sha256_month_key TO raw_report_unpartitioned_sha256_month_key;
ALTER SEQUENCE raw_report_id_seq RENAME TO raw_report_unpartitioned_id_seq;

CREATE TABLE raw_report (
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    data         bytea       NOT NULL,
    sha256       bytea       GENERATED ALWAYS AS (sha256(data)) STORED,
    size         bigint      GENERATED ALWAYS AS (octet_length(data)) STORED,
    content_type text,
    filename     text,
    format       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    account_id   bigint,
    month        date        NOT NULL DEFAULT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date,
    PRIMARY KEY (id, month),
    CONSTRAINT raw_report_sha256_month_key UNIQUE (sha256, month)
) PARTITION BY RANGE (month);
CREATE TABLE raw_report_default PARTITION OF raw_report DEFAULT;

-- Deleting attachments forgets them in every table that points at one, as
-- the dropped foreign keys' ON DELETE SET NULL did (the writer deletes an
-- attachment it just inserted when all its reports were duplicates).
CREATE FUNCTION raw_report_forget_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE aggregate_report SET raw_report_id = NULL
     WHERE raw_report_id IN (SELECT id FROM old_raw);
    UPDATE tlsrpt_report SET raw_report_id = NULL
     WHERE raw_report_id IN (SELECT id FROM old_raw);
    UPDATE failure_report SET raw_report_id = NULL
     WHERE raw_report_id IN (SELECT id FROM old_raw);
    UPDATE report_conflict SET raw_report_id = NULL
     WHERE raw_report_id IN (SELECT id FROM old_raw);
    RETURN NULL;
END $$;
CREATE TRIGGER raw_report_forget AFTER DELETE ON raw_report
    REFERENCING OLD TABLE AS old_raw FOR EACH STATEMENT
    EXECUTE FUNCTION raw_report_forget_deleted();

-- Daily totals of the records retention drops, so dashboards keep old
-- traffic: one row per (day of date_begin in UTC, account, policy domain,
-- source, evaluated disposition/DKIM/SPF, header_from). messages is the sum
-- of the records' counts (numeric, as in 0010), records how many rows it
-- sums. Filled only by rua_retention_apply, from a month's records in the
-- same transaction that drops them, so a rerun finds nothing to add; a late
-- record of a day already rolled up (a report dated in an expired month lands
-- in the default partition) is added to that day's row. `key` is the md5 of
-- the other key columns (each quoted, NULL as NULL): a sender's text may be
-- up to 64 KiB, past a btree entry, and one 16-byte digest keeps the unique
-- index small (a five-md5 expression index made the rollup twice as slow).
CREATE TABLE aggregate_daily (
    day         date    NOT NULL,
    account_id  bigint,
    domain      text    NOT NULL,              -- lower(aggregate_report.domain)
    source_ip   inet    NOT NULL,
    disposition text,
    dkim        text,
    spf         text,
    header_from text,
    messages    numeric NOT NULL,
    records     bigint  NOT NULL,
    key         bytea   NOT NULL,
    CONSTRAINT aggregate_daily_key UNIQUE (day, key)
);
CREATE INDEX aggregate_daily_domain_idx ON aggregate_daily (domain, day);

-- <parent>_YYYY_MM: the partition of `parent` holding the month of `month`.
CREATE FUNCTION rua_partition_name(parent text, month date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT parent || '_' || to_char(month, 'YYYY_MM')
$$;

-- The partition key of each partitioned table.
CREATE FUNCTION rua_partition_key(parent text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE parent WHEN 'aggregate_record' THEN 'date_begin'
                       WHEN 'raw_report' THEN 'month' END
$$;

-- The monthly partitions of `parent` (named by rua_partition_name), with
-- the first day of their month.
CREATE FUNCTION rua_month_partitions(parent text) RETURNS TABLE (name text, first date)
LANGUAGE sql STABLE AS $$
    SELECT c.relname::text, to_date(right(c.relname, 7), 'YYYY_MM')
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent::regclass
       AND c.relname ~ ('^' || parent || '_[0-9]{4}_[0-9]{2}$')
     ORDER BY 2
$$;

-- Creates the partition of `parent` for the month of `month` unless it
-- exists (then returns NULL). Rows of that month already in the default
-- partition (CREATE ... PARTITION OF refuses to run while they are there)
-- are moved into it: the default partition is detached, the month's
-- partition created, the rows copied through the parent and deleted from
-- the default, which is then attached again, all in the caller's
-- transaction. Returns one line saying what it did (or, with dry_run, what
-- it would do, changing nothing).
CREATE FUNCTION rua_partition_create(parent text, month date, dry_run boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    part    text := rua_partition_name(parent, date_trunc('month', month)::date);
    def     text := parent || '_default';
    key     text := rua_partition_key(parent);
    lo      text := to_char(date_trunc('month', month), 'YYYY-MM-DD') || ' 00:00:00+00';
    hi      text := to_char(date_trunc('month', month) + interval '1 month', 'YYYY-MM-DD')
                    || ' 00:00:00+00';
    waiting bigint;
    cols    text;
BEGIN
    IF key IS NULL THEN
        RAISE EXCEPTION 'rua_partition_create: % is not a partitioned table of rua-milter', parent;
    END IF;
    IF to_regclass(part) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT count(*) FROM %I WHERE %I >= %L AND %I < %L', def, key, lo, key, hi)
       INTO waiting;
    IF dry_run THEN
        RETURN format('would create partition %s', part)
            || CASE WHEN waiting > 0
                    THEN format(' (would move %s rows from %s)', waiting, def) ELSE '' END;
    END IF;
    IF waiting = 0 THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       part, parent, lo, hi);
        RETURN format('created partition %s', part);
    END IF;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
      FROM pg_attribute
     WHERE attrelid = parent::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, def);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   part, parent, lo, hi);
    EXECUTE format('INSERT INTO %I (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %I '
                   'WHERE %I >= %L AND %I < %L', parent, cols, cols, def, key, lo, key, hi);
    EXECUTE format('DELETE FROM %I WHERE %I >= %L AND %I < %L', def, key, lo, key, hi);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I DEFAULT', parent, def);
    RETURN format('created partition %s (moved %s rows from %s)', part, waiting, def);
END $$;

-- Adds the records of `source` (a partition of aggregate_record) dated
-- before `before` to aggregate_daily; returns how many daily rows it wrote.
CREATE FUNCTION rua_rollup(source text, before date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    written bigint;
BEGIN
    EXECUTE format(
        'INSERT INTO aggregate_daily AS d (day, account_id, domain, source_ip, disposition, '
        '       dkim, spf, header_from, messages, records, key) '
        'SELECT g.*, decode(md5(format(''%%L|%%L|%%L|%%L|%%L|%%L|%%L'', g.account_id, '
        '       g.domain, g.source_ip, g.disposition, g.dkim, g.spf, g.header_from)), ''hex'') '
        '  FROM (SELECT (r.date_begin AT TIME ZONE %L)::date AS day, r.account_id, '
        '               lower(a.domain) AS domain, r.source_ip, r.disposition, r.dkim, r.spf, '
        '               r.header_from, sum(r.count) AS messages, count(*) AS records '
        '          FROM %I r JOIN aggregate_report a ON a.id = r.report_id '
        '         WHERE r.date_begin < %L '
        '         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS g '
        'ON CONFLICT (day, key) '
        'DO UPDATE SET messages = d.messages + excluded.messages, '
        '              records = d.records + excluded.records',
        'UTC', source, to_char(before, 'YYYY-MM-DD') || ' 00:00:00+00');
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

-- Retention, in one transaction: records of months that ended before
-- now() - records, attachments of months that ended before now() - raw,
-- quarantined messages received before now() - quarantine. A month's
-- partition is dropped whole (never one that could hold a newer row); rows
-- of such months in a default partition are deleted; records are rolled up
-- into aggregate_daily first. aggregate_report and aggregate_daily are never
-- deleted from. Returns one line per partition dropped or table deleted
-- from, then a summary line; with dry_run, what it would do, changing
-- nothing. The drops come last, so the exclusive locks they take on the
-- parents are held only for the end of the transaction.
CREATE FUNCTION rua_retention_apply(records interval, raw interval, quarantine interval,
                                    dry_run boolean DEFAULT false)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    records_end date := date_trunc('month', (now() - records) AT TIME ZONE 'UTC')::date;
    raw_end     date := date_trunc('month', (now() - raw) AT TIME ZONE 'UTC')::date;
    q_before    timestamptz := now() - quarantine;
    dropping    text := CASE WHEN dry_run THEN 'would drop' ELSE 'dropped' END;
    deleting    text := CASE WHEN dry_run THEN 'would delete' ELSE 'deleted' END;
    p           record;
    n           bigint;
    rolled      bigint;
    drops       text[] := '{}';
    dropped     bigint := 0;
    deleted     bigint := 0;
BEGIN
    IF records < interval '0' OR raw < interval '0' OR quarantine < interval '0' THEN
        RAISE EXCEPTION 'rua_retention_apply: a retention period cannot be negative';
    END IF;
    FOR p IN SELECT * FROM rua_month_partitions('aggregate_record') WHERE first < records_end LOOP
        EXECUTE format('SELECT count(*) FROM %I', p.name) INTO n;
        IF dry_run THEN
            RETURN NEXT format('would drop partition %s (%s records)', p.name, n);
        ELSE
            rolled := rua_rollup(p.name, records_end);
            RETURN NEXT format('dropped partition %s (%s records, %s daily rows)',
                               p.name, n, rolled);
        END IF;
        drops := drops || p.name;
    END LOOP;
    EXECUTE 'SELECT count(*) FROM aggregate_record_default WHERE date_begin < $1'
       INTO n USING records_end::timestamp AT TIME ZONE 'UTC';
    IF n > 0 THEN
        IF NOT dry_run THEN
            rolled := rua_rollup('aggregate_record_default', records_end);
            DELETE FROM aggregate_record_default
             WHERE date_begin < records_end::timestamp AT TIME ZONE 'UTC';
        END IF;
        RETURN NEXT format('%s %s records from aggregate_record_default (before %s)',
                           deleting, n, records_end);
        deleted := deleted + n;
    END IF;
    FOR p IN SELECT * FROM rua_month_partitions('raw_report') WHERE first < raw_end LOOP
        EXECUTE format('SELECT count(*) FROM %I', p.name) INTO n;
        RETURN NEXT format('%s partition %s (%s attachments)', dropping, p.name, n);
        drops := drops || p.name;
    END LOOP;
    SELECT count(*) INTO n FROM raw_report_default WHERE month < raw_end;
    IF n > 0 THEN
        IF NOT dry_run THEN
            DELETE FROM raw_report_default WHERE month < raw_end;
        END IF;
        RETURN NEXT format('%s %s attachments from raw_report_default (before %s)',
                           deleting, n, raw_end);
        deleted := deleted + n;
    END IF;
    SELECT count(*) INTO n FROM quarantine WHERE received_at < q_before;
    IF n > 0 THEN
        IF NOT dry_run THEN
            DELETE FROM quarantine WHERE received_at < q_before;
        END IF;
        RETURN NEXT format('%s %s quarantined messages (received before %s)', deleting, n,
                           to_char(q_before AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"'));
        deleted := deleted + n;
    END IF;
    IF NOT dry_run THEN
        FOR i IN 1 .. coalesce(array_length(drops, 1), 0) LOOP
            EXECUTE format('DROP TABLE %I', drops[i]);
        END LOOP;
    END IF;
    dropped := coalesce(array_length(drops, 1), 0);
    RETURN NEXT format('retention: %s %s partitions, %s %s rows (records before %s, '
                       'attachments before %s)', dropping, dropped, deleting, deleted,
                       records_end, raw_end);
END $$;

-- The rows of the old tables, moved into monthly partitions: one for every
-- month they hold, then the current month and the next three (ruactl keeps
-- creating them ahead).
DO $$
DECLARE
    m date;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', date_begin AT TIME ZONE 'UTC')::date
               FROM aggregate_record_unpartitioned
             UNION
             SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                    date_trunc('month', now() AT TIME ZONE 'UTC')
                                        + interval '3 months',
                                    interval '1 month')::date LOOP
        PERFORM rua_partition_create('aggregate_record', m);
    END LOOP;
    FOR m IN SELECT DISTINCT month FROM raw_report_unpartitioned
             UNION
             SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                    date_trunc('month', now() AT TIME ZONE 'UTC')
                                        + interval '3 months',
                                    interval '1 month')::date LOOP
        PERFORM rua_partition_create('raw_report', m);
    END LOOP;
END $$;

INSERT INTO aggregate_record
SELECT report_id, ordinal, source_ip, count, disposition, dkim, spf, header_from,
       envelope_from, envelope_to, dmarc_pass, reasons, auth_dkim, auth_spf, date_begin,
       account_id
  FROM aggregate_record_unpartitioned;
DROP TABLE aggregate_record_unpartitioned;

INSERT INTO raw_report (id, data, content_type, filename, format, created_at, account_id, month)
OVERRIDING SYSTEM VALUE
SELECT id, data, content_type, filename, format, created_at, account_id, month
  FROM raw_report_unpartitioned;
SELECT setval(pg_get_serial_sequence('raw_report', 'id'),
              coalesce((SELECT max(id) FROM raw_report_unpartitioned), 1),
              (SELECT max(id) IS NOT NULL FROM raw_report_unpartitioned));
DROP TABLE raw_report_unpartitioned;

-- The views of 0010, as they were.
CREATE VIEW v_report_summary AS
SELECT a.id,
       lower(a.domain)                                        AS domain,
       a.org_name,
       a.reporter,
       a.report_id,
       a.date_begin,
       a.date_end,
       a.received_at,
       a.record_count                                         AS records,
       a.message_count                                        AS messages,
       coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0)::numeric     AS pass,
       coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0)::numeric AS fail
  FROM aggregate_report a
  LEFT JOIN aggregate_record r ON r.report_id = a.id
 GROUP BY a.id;

CREATE VIEW v_source_summary AS
SELECT lower(a.domain)                                        AS domain,
       r.source_ip,
       count(DISTINCT a.id)::bigint                           AS reports,
       sum(r.count)::numeric                                  AS messages,
       coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0)::numeric     AS pass,
       coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0)::numeric AS fail,
       min(a.date_begin)                                      AS first_seen,
       max(a.date_end)                                        AS last_seen
  FROM aggregate_report a
  JOIN aggregate_record r ON r.report_id = a.id
 GROUP BY lower(a.domain), r.source_ip;

CREATE VIEW v_daily_domain AS
SELECT lower(a.domain)                                        AS domain,
       (a.date_begin AT TIME ZONE 'UTC')::date                AS day,
       count(DISTINCT a.id)::bigint                           AS reports,
       sum(r.count)::numeric                                  AS messages,
       coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0)::numeric                 AS pass,
       coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0)::numeric             AS fail,
       coalesce(sum(r.count) FILTER (WHERE r.disposition = 'none'), 0)::numeric       AS disposition_none,
       coalesce(sum(r.count) FILTER (WHERE r.disposition = 'quarantine'), 0)::numeric AS disposition_quarantine,
       coalesce(sum(r.count) FILTER (WHERE r.disposition = 'reject'), 0)::numeric     AS disposition_reject
  FROM aggregate_report a
  JOIN aggregate_record r ON r.report_id = a.id
 GROUP BY lower(a.domain), (a.date_begin AT TIME ZONE 'UTC')::date;
