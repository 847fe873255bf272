-- 0013: what rua-web reads (issue 10): API tokens and browser sessions, and a
-- daily rollup of aggregate records kept current by the report's own
-- transaction. Nothing here is written by the milter's hot path but one
-- `SELECT rua_rollup_report(id)` per stored aggregate report (after its
-- records are in); readers read the v_day_* views, never the tables below.
--
-- Tokens. api_token.hash is sha256 of the whole token text ("rua_" and 43
-- base64url characters, printed once by `ruactl token add`); the text itself
-- is never stored. An admin token has no account and sees every account. A
-- web_session row is a browser login traded for a token (hash = sha256 of
-- the cookie value): valid while not expired and its token not revoked;
-- `ruactl token revoke` sets revoked_at and deletes the token's sessions.
--
-- The rollup. Each record's count is spread over the UTC days its report's
-- [date_begin, date_end) covers, pro rata by the time (to the microsecond,
-- i.e. by hours and their fractions) the report spends in each day, as
-- integers by the largest-remainder rule: every record's parts sum exactly to
-- its count, a tie goes to the earlier day. A report shorter than an hour, or
-- with date_end <= date_begin, or longer than 31 days (no reporter sends
-- those; the bound keeps one record from becoming thousands of rows) counts
-- wholly on the day of date_begin. rua_day_split is the one place that rule
-- lives. Three rollups, each a folded table read through one view:
--   v_day_domain  (day, account, policy domain, evaluated disposition/DKIM/
--                  SPF, DMARC pass): a handful of rows per domain and day;
--   v_day_source  (... and source address, reporter, header_from);
--   v_day_auth    (day, account, policy domain, method, auth domain,
--                  selector, result, aligned).
-- The write path only INSERTs one rollup_pending row per report
-- (rua_rollup_report, in the report's transaction): no row is ever updated
-- there, so concurrent writers never wait for each other. rua_rollup_fold
-- (every minute, rua-milter-fold.timer) takes the pending reports with
-- DELETE ... RETURNING and adds their rollups to the day_*_folded tables in
-- one transaction; the views add the folded rows and the rollup of the
-- pending reports computed from their records, so a reader sees each report
-- either pending or folded, never both, from the moment it is committed.
--
-- Sums. In v_day_domain and v_day_source the messages of a domain over all
-- days equal sum(aggregate_record.count) of its records (expired records
-- included: their rollup stays). In v_day_auth each DKIM signature and each
-- SPF result of a record counts the record's messages, so per method the sum
-- equals the records' when each record has one result of that method; a
-- record with none of a method counts once under that method with
-- auth_domain, selector, result and aligned NULL.
--
-- aggregate_daily (0012: totals of expired records by date_begin day, filled
-- only by retention) is folded into day_domain_folded and day_source_folded
-- on the day it carries (its records are gone, so it cannot be spread;
-- reporter unknown: NULL; no DKIM/SPF breakdown) and dropped, with 0012's
-- rua_rollup. Retention no longer rolls anything up: the rollup is current,
-- and dropping a month's partition only folds the pending reports first.
--
-- Cost on the write path (a 20,000-record report of one day, 20,000 sources,
-- one DKIM and one SPF result each; psql \timing, fsync on, the shared
-- 2-core machine, 7 runs): \copy of the records 187-383 ms (median 198),
-- SELECT rua_rollup_report(id) 6-18 ms (median 7), about 3.5 %. Writing the
-- three rollups' rows there instead took 225 ms (source rows 67 ms, the DKIM
-- and SPF lists parsed 137 ms), more than the COPY itself.

-- Tokens and sessions ------------------------------------------------------

CREATE TABLE api_token (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint      REFERENCES account (id) ON DELETE CASCADE,
    admin      boolean     NOT NULL,
    label      text,
    hash       bytea       NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK (admin = (account_id IS NULL))
);
CREATE INDEX api_token_account_idx ON api_token (account_id);

CREATE TABLE web_session (
    hash       bytea       PRIMARY KEY,
    token_id   bigint      NOT NULL REFERENCES api_token (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_session_token_idx ON web_session (token_id);

-- The split ----------------------------------------------------------------

-- `count` spread over the UTC days of [date_begin, date_end) as described in
-- the header; one row per day whose part is not 0 (a count of 0 gives no
-- row), by day. STRICT, so the planner does not inline it: inlined, it cost
-- 250 us a call instead of 136 us and made every plan that holds it (the
-- views) take half as long again to plan.
CREATE FUNCTION rua_day_split(count bigint, date_begin timestamptz, date_end timestamptz)
RETURNS TABLE (day date, messages bigint)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 3 AS $$
    WITH span AS (
        SELECT $2 AT TIME ZONE 'UTC' AS b, $3 AT TIME ZONE 'UTC' AS e,
               ($3 - $2 >= interval '1 hour' AND $3 - $2 <= interval '31 days') AS spread
    ), part AS (
        -- weight: microseconds of the report inside the day
        SELECT d::date AS d,
               (extract(epoch FROM least(s.e, d + interval '1 day') - greatest(s.b, d))
                * 1000000)::numeric * $1 AS share,
               (extract(epoch FROM s.e - s.b) * 1000000)::numeric AS total
          FROM span s
         CROSS JOIN generate_series(date_trunc('day', s.b), s.e, interval '1 day') AS d
         WHERE s.spread AND d < s.e
    ), floored AS (
        SELECT d, div(share, total) AS whole, mod(share, total) AS rest FROM part
    ), ranked AS (
        SELECT d, whole,
               row_number() OVER (ORDER BY rest DESC, d) AS rank,
               $1 - sum(whole) OVER () AS left_over
          FROM floored
    )
    SELECT d, (whole + CASE WHEN rank <= left_over THEN 1 ELSE 0 END)::bigint
      FROM ranked
     WHERE whole + CASE WHEN rank <= left_over THEN 1 ELSE 0 END > 0
    UNION ALL
    SELECT (s.b)::date, $1 FROM span s WHERE NOT s.spread AND $1 > 0
    ORDER BY 1
$$;

-- Whether auth_domain is aligned with header_from under mode ('s' strict:
-- the same domain; anything else relaxed). Relaxed alignment wants the same
-- organisational domain; without the public suffix list it is approximated
-- by a simple suffix match: the same domain, or one a subdomain of the other
-- (mail.example.com and example.com align; a.example.com and b.example.com,
-- siblings, are counted as not aligned). Case and a trailing dot ignored;
-- false when either domain is missing.
CREATE FUNCTION rua_aligned(auth_domain text, header_from text, mode text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN coalesce(rtrim($1, '.'), '') = '' OR coalesce(rtrim($2, '.'), '') = '' THEN false
        WHEN lower(rtrim($1, '.')) = lower(rtrim($2, '.')) THEN true
        WHEN lower(coalesce($3, 'r')) = 's' THEN false
        ELSE right(lower(rtrim($1, '.')), length(rtrim($2, '.')) + 1) = '.' || lower(rtrim($2, '.'))
          OR right(lower(rtrim($2, '.')), length(rtrim($1, '.')) + 1) = '.' || lower(rtrim($1, '.'))
    END
$$;

-- The rollup tables --------------------------------------------------------
-- day_*_folded: one row per day and key, `key` the md5 of the other key
-- columns (each quoted, NULL as NULL), as in 0012: a sender's text may pass
-- a btree entry's size. Written only by rua_rollup_fold (and the backfill).

CREATE TABLE day_domain_folded (
    day         date    NOT NULL,
    account_id  bigint,
    domain      text    NOT NULL,
    disposition text,
    dkim        text,
    spf         text,
    dmarc_pass  boolean NOT NULL,
    messages    bigint  NOT NULL,
    key         bytea   NOT NULL,
    CONSTRAINT day_domain_folded_key UNIQUE (day, key)
);
CREATE INDEX day_domain_folded_domain_idx ON day_domain_folded (domain, day);
CREATE INDEX day_domain_folded_account_idx ON day_domain_folded (account_id, day);

CREATE TABLE day_source_folded (
    day         date    NOT NULL,
    account_id  bigint,
    domain      text    NOT NULL,
    source_ip   inet    NOT NULL,
    reporter    text,
    header_from text,
    disposition text,
    dkim        text,
    spf         text,
    dmarc_pass  boolean NOT NULL,
    messages    bigint  NOT NULL,
    key         bytea   NOT NULL,
    CONSTRAINT day_source_folded_key UNIQUE (day, key)
);
CREATE INDEX day_source_folded_domain_idx ON day_source_folded (domain, day);
CREATE INDEX day_source_folded_account_idx ON day_source_folded (account_id, day);

CREATE TABLE day_auth_folded (
    day         date    NOT NULL,
    account_id  bigint,
    domain      text    NOT NULL,
    method      text    NOT NULL CHECK (method IN ('dkim', 'spf')),
    auth_domain text,
    selector    text,
    result      text,
    aligned     boolean,
    messages    bigint  NOT NULL,
    key         bytea   NOT NULL,
    CONSTRAINT day_auth_folded_key UNIQUE (day, key)
);
CREATE INDEX day_auth_folded_domain_idx ON day_auth_folded (domain, day);
CREATE INDEX day_auth_folded_account_idx ON day_auth_folded (account_id, day);

-- The reports stored but not folded yet: insert-only on the write path (one
-- row per report, by rua_rollup_report), emptied by rua_rollup_fold. Their
-- rollup is computed from their records whenever a view is read. Why not
-- pending rows of each rollup: writing them cost as much as the COPY of the
-- report's records (a 20,000-record report of 20,000 sources gives 20,000
-- source rows, and its DKIM/SPF lists must be parsed), against well under a
-- millisecond for this row (the figures are in the header).
CREATE TABLE rollup_pending (
    report_id  bigint      PRIMARY KEY,
    date_begin timestamptz NOT NULL,           -- the records' partition key
    one_day    date                            -- rua_one_day of the report
);
-- Statistics that say "empty" rather than the planner's guess for a table
-- never analysed (1,700 rows, enough to plan the views as a large query).
ANALYZE rollup_pending;

-- Which reports are folded (set by rua_rollup_fold, in the background).
-- Reports stored before this migration are folded below (true); new reports
-- start false. Retention rolls up any report in the months it expires that
-- no writer rolled up (rua_rollup_report never called for it).
ALTER TABLE aggregate_report ADD COLUMN rolled_up boolean NOT NULL DEFAULT true;
ALTER TABLE aggregate_report ALTER COLUMN rolled_up SET DEFAULT false;

-- The one UTC day a report's records all fall on (rua_day_split of a count
-- so large that every day the report covers gets a part of it reaches one
-- day only), else NULL. For such a report the split of every record is its
-- whole count on that day, computed without calling the split per record.
CREATE FUNCTION rua_one_day(date_begin timestamptz, date_end timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN count(*) = 1 THEN min(day) END
      FROM rua_day_split(4611686018427387904, $1, $2)
$$;

-- The column lists of each rollup, in rua_rollup_select's order.
CREATE FUNCTION rua_rollup_columns(rollup text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE $1
        WHEN 'domain' THEN 'day, account_id, domain, disposition, dkim, spf, dmarc_pass, messages'
        WHEN 'source' THEN 'day, account_id, domain, source_ip, reporter, header_from, '
                           'disposition, dkim, spf, dmarc_pass, messages'
        WHEN 'auth' THEN 'day, account_id, domain, method, auth_domain, selector, result, '
                         'aligned, messages'
    END
$$;

-- The key of a folded row: md5 of its key columns but day, each quoted.
CREATE FUNCTION rua_rollup_key(rollup text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'decode(md5(concat_ws(''|'', '
        || (SELECT string_agg(format('quote_nullable(%s)', c), ', ' ORDER BY i)
              FROM unnest(string_to_array(rua_rollup_columns($1), ', ')) WITH ORDINALITY AS t (c, i)
             WHERE c NOT IN ('day', 'messages'))
        || ')), ''hex'')'
$$;

-- The SELECT that computes one rollup (its columns in rua_rollup_columns'
-- order) from the records of the reports in `pending` (a FROM item with
-- rollup_pending's columns, aliased p). Written once for the views, the fold
-- and the backfill. The report and its records are read in LATERAL
-- subqueries kept apart (OFFSET 0), so the plan is always an index lookup
-- per pending report, never a scan of aggregate_record.
CREATE FUNCTION rua_rollup_select(rollup text, pending text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    records text := pending || ' AS p'
        || ' CROSS JOIN LATERAL (SELECT * FROM aggregate_report a0 WHERE a0.id = p.report_id'
        || '                     OFFSET 0) AS a'
        || ' CROSS JOIN LATERAL (SELECT * FROM aggregate_record r0'
        || '                      WHERE r0.report_id = p.report_id'
        || '                        AND r0.date_begin = p.date_begin OFFSET 0) AS r'
        || ' CROSS JOIN LATERAL (SELECT p.one_day AS day, r.count AS messages'
        || '                      WHERE p.one_day IS NOT NULL'
        || '                     UNION ALL'
        || '                     SELECT d.day, d.messages'
        || '                       FROM rua_day_split(r.count, a.date_begin, a.date_end) AS d'
        || '                      WHERE p.one_day IS NULL) AS s';
BEGIN
    CASE rollup
    WHEN 'domain' THEN
        RETURN 'SELECT s.day, a.account_id, lower(a.domain) AS domain, r.disposition, r.dkim, '
            || 'r.spf, r.dmarc_pass, sum(s.messages) AS messages FROM ' || records
            || ' GROUP BY s.day, a.account_id, lower(a.domain), r.disposition, r.dkim, r.spf, '
            || 'r.dmarc_pass HAVING sum(s.messages) > 0';
    WHEN 'source' THEN
        RETURN 'SELECT s.day, a.account_id, lower(a.domain) AS domain, r.source_ip, a.reporter, '
            || 'r.header_from, r.disposition, r.dkim, r.spf, r.dmarc_pass, '
            || 'sum(s.messages) AS messages FROM ' || records
            || ' GROUP BY s.day, a.account_id, lower(a.domain), r.source_ip, a.reporter, '
            || 'r.header_from, r.disposition, r.dkim, r.spf, r.dmarc_pass HAVING sum(s.messages) > 0';
    WHEN 'auth' THEN
        -- Each record's DKIM signatures and SPF results; a LEFT JOIN gives a
        -- record without any of a method its one row of NULLs. The records
        -- are first summed by their lists' text (most share a few), so each
        -- distinct list is parsed once per day and report set, not per
        -- record: half the time of parsing every record's.
        RETURN 'SELECT g.day, g.account_id, g.domain, x.method, '
            || 'lower(x.auth_domain) AS auth_domain, x.selector, lower(x.result) AS result, '
            || 'x.aligned, sum(g.messages) AS messages FROM ('
            || ' SELECT s.day, a.account_id, lower(a.domain) AS domain, a.adkim, a.aspf, '
            || '        r.header_from, r.auth_dkim::text AS auth_dkim, r.auth_spf::text AS auth_spf, '
            || '        sum(s.messages) AS messages FROM ' || records
            || ' GROUP BY s.day, a.account_id, lower(a.domain), a.adkim, a.aspf, r.header_from, '
            || '          r.auth_dkim::text, r.auth_spf::text) AS g'
            || ' CROSS JOIN LATERAL ('
            || '  SELECT ''dkim'' AS method, k.domain AS auth_domain, k.selector, k.result, '
            || '         CASE WHEN k.result IS NOT NULL OR k.domain IS NOT NULL '
            || '              THEN rua_aligned(k.domain, g.header_from, g.adkim) END AS aligned '
            || '    FROM (SELECT) AS one LEFT JOIN json_to_recordset(g.auth_dkim::json) '
            || '         AS k(domain text, selector text, result text) ON true '
            || '  UNION ALL '
            || '  SELECT ''spf'', f.domain, NULL, f.result, '
            || '         CASE WHEN f.result IS NOT NULL OR f.domain IS NOT NULL '
            || '              THEN rua_aligned(f.domain, g.header_from, g.aspf) END '
            || '    FROM (SELECT) AS one LEFT JOIN json_to_recordset(g.auth_spf::json) '
            || '         AS f(domain text, result text) ON true) AS x'
            || ' GROUP BY g.day, g.account_id, g.domain, x.method, lower(x.auth_domain), '
            || 'x.selector, lower(x.result), x.aligned HAVING sum(g.messages) > 0';
    END CASE;
END $$;

-- The views: folded plus the pending reports' rollup, summed. A filter on
-- their columns (domain, day, account_id) is pushed below the GROUP BY into
-- both (into the pending part as a filter per report). Readers should run
-- with jit = off: while a large report is pending the planner's estimates
-- for the pending part (the DKIM/SPF lists, the split) pass jit_above_cost,
-- and compiling the plan took a second where running it takes 20 ms.
DO $$
DECLARE
    rollup text;
    cols   text;
BEGIN
    FOREACH rollup IN ARRAY ARRAY['domain', 'source', 'auth'] LOOP
        cols := replace(rua_rollup_columns(rollup), ', messages', '');
        EXECUTE format('CREATE VIEW %I AS SELECT %s, sum(messages)::bigint AS messages '
                       'FROM (SELECT %s, messages FROM %I UNION ALL %s) AS u GROUP BY %s',
                       'v_day_' || rollup, cols, cols, 'day_' || rollup || '_folded',
                       rua_rollup_select(rollup, 'rollup_pending'), cols);
    END LOOP;
END $$;

-- Queues one aggregate report for the rollup. Call it once per report, in
-- the transaction that stores it, after all its records are in: from its
-- commit on, the views count the report. Returns 1, or 0 when the report is
-- already queued or folded (a second call changes nothing). Raises
-- no_data_found if no such report exists.
CREATE FUNCTION rua_rollup_report(report bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO rollup_pending (report_id, date_begin, one_day)
    SELECT a.id, a.date_begin, rua_one_day(a.date_begin, a.date_end)
      FROM aggregate_report a
     WHERE a.id = report AND NOT a.rolled_up
    ON CONFLICT (report_id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 AND NOT EXISTS (SELECT 1 FROM aggregate_report WHERE id = report) THEN
        RAISE EXCEPTION 'rua_rollup_report: no aggregate report with id %', report
            USING ERRCODE = 'no_data_found';
    END IF;
    RETURN n;
END $$;

-- Folds every pending report (committed when the fold starts) into the
-- folded tables, in the caller's transaction and in one statement: the
-- pending rows are taken with DELETE ... RETURNING, their three rollups
-- added to their day and key, the reports marked rolled_up. A report a
-- concurrent writer commits meanwhile stays pending for the next fold; two
-- folds never run at once (a transaction-level advisory lock). Returns how
-- many pending reports it folded.
CREATE FUNCTION rua_rollup_fold() RETURNS bigint
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    adds   text := '';
    cols   text;
    rollup text;
    n      bigint;
BEGIN
    -- 0x7275615f666f6c64: "rua_fold".
    PERFORM pg_advisory_xact_lock(8247322378716163940);
    FOREACH rollup IN ARRAY ARRAY['domain', 'source', 'auth'] LOOP
        cols := replace(rua_rollup_columns(rollup), ', messages', '');
        adds := adds || format(
            ', %1$I AS (INSERT INTO %2$I AS f (%3$s, messages, key) '
            '           SELECT %3$s, messages, %4$s FROM (%5$s) AS g '
            '           ON CONFLICT (day, key) '
            '           DO UPDATE SET messages = f.messages + excluded.messages) ',
            'add_' || rollup, 'day_' || rollup || '_folded', cols, rua_rollup_key(rollup),
            rua_rollup_select(rollup, 'moved'));
    END LOOP;
    EXECUTE 'WITH moved AS (DELETE FROM rollup_pending RETURNING *)' || adds
         || ', marked AS (UPDATE aggregate_report SET rolled_up = true '
         || '             WHERE id IN (SELECT report_id FROM moved)) '
         || 'SELECT count(*) FROM moved'
       INTO n;
    RETURN n;
END $$;

-- Backfill: the records stored before this migration, spread the same way,
-- straight into the folded tables; with them, aggregate_daily's totals of
-- expired records on the day they carry.
DO $$
DECLARE
    rollup text;
    cols   text;
    extra  text;
BEGIN
    FOREACH rollup IN ARRAY ARRAY['domain', 'source', 'auth'] LOOP
        cols := replace(rua_rollup_columns(rollup), ', messages', '');
        extra := CASE rollup
            WHEN 'domain' THEN
                ' UNION ALL SELECT day, account_id, domain, disposition, dkim, spf, '
                '(dkim = ''pass'' OR spf = ''pass'') IS TRUE, messages::bigint FROM aggregate_daily'
            WHEN 'source' THEN
                ' UNION ALL SELECT day, account_id, domain, source_ip, NULL, header_from, '
                'disposition, dkim, spf, (dkim = ''pass'' OR spf = ''pass'') IS TRUE, '
                'messages::bigint FROM aggregate_daily'
            ELSE '' END;
        EXECUTE format(
            'INSERT INTO %1$I (%2$s, messages, key) '
            'SELECT %2$s, sum(messages), %3$s FROM (%4$s%5$s) AS u (%2$s, messages) '
            'GROUP BY %2$s HAVING sum(messages) > 0',
            'day_' || rollup || '_folded', cols, rua_rollup_key(rollup),
            rua_rollup_select(rollup, '(SELECT id AS report_id, date_begin, '
                                      'rua_one_day(date_begin, date_end) AS one_day '
                                      'FROM aggregate_report)'),
            extra);
    END LOOP;
END $$;

DROP FUNCTION rua_rollup(text, date);
DROP TABLE aggregate_daily;

-- Retention (0012's, redefined): the rollup is current, so a month's
-- partition is dropped without rolling it up (20 M records, 4 of 16 months
-- dropped: 4.3 s, most of it counting the dropped rows for the lines; 57.8 s
-- with 0012's rollup). Before anything is dropped,
-- any report in the expired months that no writer rolled up is rolled up,
-- and the pending rows are folded (so the folded tables alone hold every
-- day retention removes). Lines as in 0012, without the daily rows.
CREATE OR REPLACE FUNCTION rua_retention_apply(records interval, raw interval, quarantine interval,
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
    drops       text[] := '{}';
    dropped     bigint := 0;
    deleted     bigint := 0;
BEGIN
    IF records < interval '0' OR raw < interval '0' OR quarantine < interval '0' THEN
        RAISE EXCEPTION 'rua_retention_apply: a retention period cannot be negative';
    END IF;
    IF NOT dry_run THEN
        PERFORM rua_rollup_report(id) FROM aggregate_report
          WHERE NOT rolled_up AND date_begin < records_end::timestamp AT TIME ZONE 'UTC';
        PERFORM rua_rollup_fold();
    END IF;
    FOR p IN SELECT * FROM rua_month_partitions('aggregate_record') WHERE first < records_end LOOP
        EXECUTE format('SELECT count(*) FROM %I', p.name) INTO n;
        RETURN NEXT format('%s partition %s (%s records)', dropping, p.name, n);
        drops := drops || p.name;
    END LOOP;
    EXECUTE 'SELECT count(*) FROM aggregate_record_default WHERE date_begin < $1'
       INTO n USING records_end::timestamp AT TIME ZONE 'UTC';
    IF n > 0 THEN
        IF NOT dry_run THEN
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
