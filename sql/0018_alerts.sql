-- 0018: alerts (issue 11). Rules per account (`ruactl alert add|list|remove`),
-- an outbox the storing transactions fill, and every event the worker
-- (`ruactl alerts run`) raised and delivered. Nothing here runs on the SMTP
-- path but one trigger per stored report, conflict or failure report: an
-- INSERT of one outbox row and a NOTIFY, and only while some rule exists.
-- The rules are evaluated in SQL (rua_alert_evaluate) by the worker alone.
--
-- Windows (UTC days, as the rollup): "recent" is yesterday and today; the
-- new-source rule compares it with the 30 days before, the compliance rule
-- with the 14 days before. TLS failures and failure-report bursts count
-- reports received in the last `hours`. A silent reporter is one whose
-- latest aggregate report for the domain ends more than `days` ago (or
-- none). A conflict is any report_conflict row received in the last 7 days.
--
-- Deduplication: an event is (rule, key); the same key raises no new event
-- while an earlier one is younger than the rule's cooldown. new-source and
-- conflict keys (a source address, a conflict id) are raised once, ever.
--
-- Cost on the write path (EXPLAIN ANALYZE of 2,000 tlsrpt_report inserts, 3
-- runs, the shared 2-core machine): the trigger took 50-66 us a report with
-- a rule (outbox row + NOTIFY), 42-47 us without one (the EXISTS and the
-- trigger call); one report's commit with fsync on took ~10 ms there, so
-- under 1 % of a stored report. The rules cost nothing per report: they are
-- evaluated by the worker, once per pass, whatever the number of reports.

CREATE TABLE alert_rule (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id       bigint      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    kind             text        NOT NULL CHECK (kind IN ('new-source', 'compliance',
                                 'silent-reporter', 'conflict', 'tls-failures', 'failure-burst')),
    -- NULL: every domain of the account
    domain           text        CHECK (domain IS NULL OR (domain <> ''
                                 AND domain = lower(domain COLLATE "C") AND domain = btrim(domain))),
    min_messages     bigint      NOT NULL DEFAULT 1 CHECK (min_messages >= 1),   -- new-source, compliance
    below            numeric     CHECK (below > 0 AND below <= 100),             -- compliance, percent
    drop_points      numeric     CHECK (drop_points > 0 AND drop_points <= 100), -- compliance
    reporter         text        CHECK (reporter IS NULL OR reporter = lower(reporter)), -- silent-reporter
    days             integer     CHECK (days BETWEEN 1 AND 365),                -- silent-reporter
    hours            integer     CHECK (hours BETWEEN 1 AND 720),               -- tls-failures, failure-burst
    min_count        bigint      CHECK (min_count >= 1),   -- failed TLS sessions, failure reports
    above            numeric     NOT NULL DEFAULT 0 CHECK (above >= 0 AND above < 100), -- tls-failures, percent
    webhook_url      text        CHECK (webhook_url ~ '^https?://[^[:space:][:cntrl:]]+$'),
    secret_file      text        CHECK (secret_file LIKE '/%'),
    mail_to          text        CHECK (mail_to ~ '^[^[:space:][:cntrl:],<>()";:\\]+@[^[:space:][:cntrl:],<>()";:\\@]+$'),
    cooldown_seconds integer     NOT NULL DEFAULT 86400 CHECK (cooldown_seconds BETWEEN 0 AND 31536000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (webhook_url IS NOT NULL OR mail_to IS NOT NULL),
    CHECK ((webhook_url IS NULL) = (secret_file IS NULL)),
    CHECK (kind <> 'compliance' OR below IS NOT NULL OR drop_points IS NOT NULL),
    CHECK (kind <> 'silent-reporter' OR (reporter IS NOT NULL AND days IS NOT NULL)),
    CHECK (kind NOT IN ('tls-failures', 'failure-burst') OR (hours IS NOT NULL AND min_count IS NOT NULL))
);
CREATE INDEX alert_rule_account_idx ON alert_rule (account_id);

-- Filled by the storing transactions (triggers below), emptied by
-- rua_alert_evaluate. `source` is the table the row was stored in.
CREATE TABLE alert_outbox (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source     text        NOT NULL,
    row_id     bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_event (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id      bigint      REFERENCES alert_rule (id) ON DELETE SET NULL,
    account_id   bigint      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    kind         text        NOT NULL,
    domain       text,
    key          text        NOT NULL,
    payload      jsonb       NOT NULL,                  -- what the rule saw
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,                           -- every channel done
    attempts     integer     NOT NULL DEFAULT 0,        -- delivery attempts, all channels
    last_error   text,
    done         text[]      NOT NULL DEFAULT '{}'      -- channels delivered: 'webhook', 'mail'
);
CREATE INDEX alert_event_rule_key_idx ON alert_event (rule_id, key, created_at);
CREATE INDEX alert_event_account_idx ON alert_event (account_id, created_at);
CREATE INDEX alert_event_pending_idx ON alert_event (id) WHERE delivered_at IS NULL;

-- The storing transaction's share: one row and one NOTIFY (PostgreSQL sends
-- a transaction's identical notifications once, at commit). No rule, no row:
-- an installation that runs no worker keeps an empty outbox.
CREATE FUNCTION rua_alert_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM alert_rule) THEN
        INSERT INTO alert_outbox (source, row_id) VALUES (TG_TABLE_NAME, NEW.id);
        PERFORM pg_notify('rua_alerts', '');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER aggregate_report_alert AFTER INSERT ON aggregate_report
    FOR EACH ROW EXECUTE FUNCTION rua_alert_outbox();
CREATE TRIGGER tlsrpt_report_alert AFTER INSERT ON tlsrpt_report
    FOR EACH ROW EXECUTE FUNCTION rua_alert_outbox();
CREATE TRIGGER failure_report_alert AFTER INSERT ON failure_report
    FOR EACH ROW EXECUTE FUNCTION rua_alert_outbox();
CREATE TRIGGER report_conflict_alert AFTER INSERT ON report_conflict
    FOR EACH ROW EXECUTE FUNCTION rua_alert_outbox();

-- Whether a report (received on `rua`, about `domain`) belongs to the
-- account: its rua address is the account's, or the domain (or a parent)
-- is registered by it. For reports without an account_id column.
CREATE FUNCTION rua_alert_owns(account bigint, rua text, domain text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM rua_address a WHERE a.address = $2 AND a.account_id = $1)
        OR EXISTS (SELECT 1 FROM account_domain d
                    WHERE d.account_id = $1
                      AND ($3 = d.domain OR right($3, length(d.domain) + 1) = '.' || d.domain))
$$;

-- What one rule sees now: one row per thing to alert about, its domain, its
-- dedup key and its payload. Read-only.
CREATE FUNCTION rua_alert_candidates(r alert_rule)
RETURNS TABLE (domain text, key text, payload jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    today date := (now() AT TIME ZONE 'UTC')::date;
BEGIN
    CASE r.kind
    WHEN 'new-source' THEN
        RETURN QUERY
        SELECT s.domain, 'new-source:' || s.domain || ':' || host(s.source_ip),
               jsonb_build_object('domain', s.domain, 'source_ip', host(s.source_ip),
                                  'failing_messages', sum(s.messages)::bigint,
                                  'since', today - 1)
          FROM v_day_source s
         WHERE s.account_id = r.account_id AND (r.domain IS NULL OR s.domain = r.domain)
           AND s.day >= today - 1 AND NOT s.dmarc_pass
         GROUP BY s.domain, s.source_ip
        HAVING sum(s.messages) >= r.min_messages
           AND NOT EXISTS (SELECT 1 FROM v_day_source p
                            WHERE p.account_id = r.account_id AND p.domain = s.domain
                              AND p.source_ip = s.source_ip
                              AND p.day >= today - 31 AND p.day < today - 1);
    WHEN 'compliance' THEN
        RETURN QUERY
        WITH cur AS (
            SELECT d.domain, sum(d.messages) AS m, sum(d.messages) FILTER (WHERE d.dmarc_pass) AS p
              FROM v_day_domain d
             WHERE d.account_id = r.account_id AND (r.domain IS NULL OR d.domain = r.domain)
               AND d.day >= today - 1
             GROUP BY d.domain
        ), base AS (
            SELECT d.domain, sum(d.messages) AS m, sum(d.messages) FILTER (WHERE d.dmarc_pass) AS p
              FROM v_day_domain d
             WHERE d.account_id = r.account_id AND (r.domain IS NULL OR d.domain = r.domain)
               AND d.day >= today - 15 AND d.day < today - 1
             GROUP BY d.domain
        ), pct AS (
            SELECT cur.domain, cur.m,
                   round(100.0 * coalesce(cur.p, 0) / cur.m, 1) AS now_pct,
                   CASE WHEN base.m > 0 THEN round(100.0 * coalesce(base.p, 0) / base.m, 1) END AS base_pct
              FROM cur LEFT JOIN base ON base.domain = cur.domain
             WHERE cur.m >= r.min_messages
        )
        SELECT pct.domain, 'compliance:' || pct.domain,
               jsonb_build_object('domain', pct.domain, 'messages', pct.m::bigint,
                                  'compliance', pct.now_pct, 'baseline', pct.base_pct,
                                  'below', r.below, 'drop_points', r.drop_points)
          FROM pct
         WHERE (r.below IS NOT NULL AND pct.now_pct < r.below)
            OR (r.drop_points IS NOT NULL AND pct.base_pct - pct.now_pct >= r.drop_points);
    WHEN 'silent-reporter' THEN
        RETURN QUERY
        SELECT d.domain, 'silent-reporter:' || r.reporter || ':' || d.domain,
               jsonb_build_object('domain', d.domain, 'reporter', r.reporter, 'days', r.days,
                                  'last_report_end', l.last_end)
          FROM (SELECT r.domain AS domain WHERE r.domain IS NOT NULL
                UNION
                SELECT a.domain FROM account_domain a
                 WHERE r.domain IS NULL AND a.account_id = r.account_id) AS d
          LEFT JOIN LATERAL (SELECT max(a.date_end) AS last_end FROM aggregate_report a
                              WHERE a.account_id = r.account_id AND lower(a.domain) = d.domain
                                AND a.reporter = r.reporter) AS l ON true
         WHERE l.last_end IS NULL OR l.last_end < now() - r.days * interval '1 day';
    WHEN 'conflict' THEN
        RETURN QUERY
        SELECT x.domain, 'conflict:' || c.id,
               jsonb_build_object('domain', x.domain, 'conflict_id', c.id, 'report_kind', c.kind,
                                  'report_key', c.report_key,
                                  'stored_report_id', c.stored_report_id,
                                  'received_at', c.received_at, 'via', c.via, 'rua', c.rua)
          FROM report_conflict c
          CROSS JOIN LATERAL (
              SELECT lower(a.domain) AS domain, a.account_id FROM aggregate_report a
               WHERE c.kind = 'aggregate' AND a.id = c.stored_report_id
              UNION ALL
              SELECT min(lower(p.policy_domain)), NULL FROM tlsrpt_policy p
               WHERE c.kind = 'tlsrpt' AND p.report_id = c.stored_report_id
              HAVING c.kind = 'tlsrpt') AS x
         WHERE c.received_at > now() - interval '7 days'
           AND (x.account_id = r.account_id
                OR (x.account_id IS NULL AND rua_alert_owns(r.account_id, c.rua, x.domain)))
           AND (r.domain IS NULL OR x.domain = r.domain);
    WHEN 'tls-failures' THEN
        RETURN QUERY
        SELECT g.domain, 'tls-failures:' || g.domain,
               jsonb_build_object('domain', g.domain, 'failed', g.failed, 'successful', g.ok,
                                  'failure_percent', round(100.0 * g.failed / nullif(g.failed + g.ok, 0), 1),
                                  'hours', r.hours)
          FROM (SELECT lower(p.policy_domain) AS domain, sum(p.failed)::bigint AS failed,
                       sum(p.successful)::bigint AS ok
                  FROM tlsrpt_report t JOIN tlsrpt_policy p ON p.report_id = t.id
                 WHERE t.received_at > now() - r.hours * interval '1 hour'
                   AND rua_alert_owns(r.account_id, t.rua, lower(p.policy_domain))
                   AND (r.domain IS NULL OR lower(p.policy_domain) = r.domain)
                 GROUP BY 1) AS g
         WHERE g.failed >= r.min_count AND 100.0 * g.failed / nullif(g.failed + g.ok, 0) > r.above;
    WHEN 'failure-burst' THEN
        RETURN QUERY
        SELECT f.domain, 'failure-burst:' || f.domain,
               jsonb_build_object('domain', f.domain, 'failure_reports', count(*), 'hours', r.hours)
          FROM failure_report f
         WHERE f.received_at > now() - r.hours * interval '1 hour' AND f.domain IS NOT NULL
           AND rua_alert_owns(r.account_id, f.rua, f.domain)
           AND (r.domain IS NULL OR f.domain = r.domain)
         GROUP BY f.domain
        HAVING count(*) >= r.min_count;
    END CASE;
END $$;

-- One evaluation pass, in the caller's transaction: takes the outbox, then
-- evaluates every rule (`everything`) or the rules the outbox's sources can
-- trigger and the silent-reporter rules (silence needs no report), and
-- records the new events (deduplicated as described in the header). Two
-- passes never run at once (an advisory lock). Returns the new events' ids.
CREATE FUNCTION rua_alert_evaluate(everything boolean)
RETURNS TABLE (event_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
    sources text[];
    kinds   text[];
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('rua_alert_evaluate'));
    WITH taken AS (DELETE FROM alert_outbox RETURNING source)
    SELECT coalesce(array_agg(DISTINCT source), '{}') INTO sources FROM taken;
    kinds := ARRAY['silent-reporter'];
    IF everything OR 'aggregate_report' = ANY (sources) THEN
        kinds := kinds || ARRAY['new-source', 'compliance'];
    END IF;
    IF everything OR 'tlsrpt_report' = ANY (sources) THEN
        kinds := kinds || ARRAY['tls-failures'];
    END IF;
    IF everything OR 'failure_report' = ANY (sources) THEN
        kinds := kinds || ARRAY['failure-burst'];
    END IF;
    IF everything OR 'report_conflict' = ANY (sources) THEN
        kinds := kinds || ARRAY['conflict'];
    END IF;
    RETURN QUERY
    INSERT INTO alert_event (rule_id, account_id, kind, domain, key, payload)
    SELECT r.id, r.account_id, r.kind, c.domain, c.key, c.payload
      FROM alert_rule r
     CROSS JOIN LATERAL rua_alert_candidates(r) AS c
     WHERE r.kind = ANY (kinds)
       AND NOT EXISTS (SELECT 1 FROM alert_event e
                        WHERE e.rule_id = r.id AND e.key = c.key
                          AND (r.kind IN ('new-source', 'conflict')
                               OR e.created_at > now() - r.cooldown_seconds * interval '1 second'))
     ORDER BY r.id, c.key
    RETURNING id;
END $$;
