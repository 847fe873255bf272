-- 0017: report authenticity. Anyone can mail a forged report to a published
-- rua= address; the milter reads the Authentication-Results fields that a
-- trusted upstream (TrustedAuthservIDs) added to the message that carried a
-- report and records per report what they prove about its reporter:
--   'dmarc-pass'      dmarc=pass with header.from in the reporter's organisation
--   'dkim-aligned'    dkim=pass with header.d in the reporter's organisation
--   'unauthenticated' trusted results present, nothing aligned passed
--   'unknown'         no trusted results, the feature off, or `ruactl import`
-- The reporter's organisation is the registrable domain of the aggregate
-- report's email, the TLS report's contact-info, the failure report's
-- Reporting-MTA. authserv_id names the field that decided (NULL for unknown).
-- Rows stored before this migration are 'unknown'. Written by the kinds'
-- writers (core/src/kinds/*/fields.cpp, with_authenticity); read by the
-- summary and the query layer.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['aggregate_report', 'tlsrpt_report', 'failure_report',
                             'report_conflict'] LOOP
        EXECUTE format(
            'ALTER TABLE %I ADD COLUMN authenticity text NOT NULL DEFAULT ''unknown'' '
            'CONSTRAINT %I CHECK (authenticity IN '
            '(''unknown'', ''unauthenticated'', ''dkim-aligned'', ''dmarc-pass'')), '
            'ADD COLUMN authserv_id text', t, t || '_authenticity_check');
    END LOOP;
END $$;

-- report_conflict's two new columns are the conflicting copy's own: how the
-- copy that was not kept in the kind's table was authenticated.
-- `resolution` (0009) is now set when authenticity decided which copy is
-- kept: 'replaced' when an authenticated copy replaced the stored one (the
-- row then describes the copy that was displaced, stored_report_id the new
-- row), 'kept' when the stored copy is authenticated and the conflicting
-- one is not. It stays NULL when neither is authenticated (the first stays).

-- The stored copy's authenticity, by kind (Store::store asks on a conflict).
CREATE FUNCTION rua_report_authenticity(kind text, report bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE kind
        WHEN 'aggregate' THEN (SELECT authenticity FROM aggregate_report WHERE id = report)
        WHEN 'tlsrpt' THEN (SELECT authenticity FROM tlsrpt_report WHERE id = report)
        WHEN 'failure' THEN (SELECT authenticity FROM failure_report WHERE id = report)
    END;
END $$;

-- Takes a stored report out of its kind's table so that an authenticated
-- copy of the same key can take its place, in the caller's transaction, and
-- returns what the conflict row keeps of it (its fingerprint digest, raw
-- attachment, arrival and authenticity). An aggregate report's records go
-- with it and so does its share of the daily rollup: a pending report
-- leaves the queue, a folded one is subtracted from the folded tables (from
-- its records; one whose records retention already dropped keeps its share,
-- as it keeps its expired records' numbers). Raises no_data_found when
-- there is no such report.
CREATE FUNCTION rua_displace_report(kind text, report bigint)
RETURNS TABLE (fingerprint bytea, raw_report_id bigint, via text, rua text, file text,
               queue_id text, authenticity text, authserv_id text)
LANGUAGE plpgsql AS $$
DECLARE
    rollup text;
    cols   text;
    one    text;
BEGIN
    IF kind = 'aggregate' THEN
        IF NOT EXISTS (SELECT 1 FROM rollup_pending p WHERE p.report_id = report) THEN
            one := format('(SELECT id AS report_id, date_begin, '
                          'rua_one_day(date_begin, date_end) AS one_day '
                          'FROM aggregate_report WHERE id = %s AND rolled_up)', report);
            FOREACH rollup IN ARRAY ARRAY['domain', 'source', 'auth'] LOOP
                cols := replace(rua_rollup_columns(rollup), ', messages', '');
                EXECUTE format(
                    'INSERT INTO %1$I AS f (%2$s, messages, key) '
                    'SELECT %2$s, -messages, %3$s FROM (%4$s) AS g '
                    'ON CONFLICT (day, key) DO UPDATE SET messages = f.messages + excluded.messages',
                    'day_' || rollup || '_folded', cols, rua_rollup_key(rollup),
                    rua_rollup_select(rollup, one));
            END LOOP;
        END IF;
        DELETE FROM rollup_pending p WHERE p.report_id = report;
        DELETE FROM aggregate_record r USING aggregate_report a
         WHERE a.id = report AND r.report_id = a.id AND r.date_begin = a.date_begin;
        RETURN QUERY DELETE FROM aggregate_report a WHERE a.id = report
            RETURNING a.fingerprint, a.raw_report_id, a.via, a.rua, a.file, a.queue_id,
                      a.authenticity, a.authserv_id;
    ELSIF kind = 'tlsrpt' THEN
        RETURN QUERY DELETE FROM tlsrpt_report t WHERE t.id = report
            RETURNING t.fingerprint, t.raw_report_id, t.via, t.rua, t.file, t.queue_id,
                      t.authenticity, t.authserv_id;
    ELSE
        RAISE EXCEPTION 'rua_displace_report: kind % has no conflicts', kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rua_displace_report: no % report with id %', kind, report
            USING ERRCODE = 'no_data_found';
    END IF;
END $$;
