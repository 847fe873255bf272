-- 0010: the views' sums as numeric. Each count is a bigint bounded at parse
-- time (MaxCount), but a sum of many may pass 2^63; the old views cast their
-- sums to bigint and failed with "bigint out of range" for that domain
-- forever. sum(bigint) is numeric in PostgreSQL: keep it so. The views are
-- those of 0005 otherwise unchanged; a column's type cannot change in place,
-- so they are dropped and created again.

DROP VIEW v_report_summary;
DROP VIEW v_source_summary;
DROP VIEW v_daily_domain;

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
