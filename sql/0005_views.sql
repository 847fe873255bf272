-- 0005: views answering a domain owner's questions; `ruactl summary` reads
-- them. "pass" is DMARC pass as the reporter evaluated it (an aligned DKIM or
-- SPF pass: aggregate_record.dmarc_pass); "fail" is every other message.
-- Counts are messages (sums of record counts), never rows. A report's period
-- can span days: v_daily_domain files it under the UTC day of date_begin.
-- Filter by domain (stored as sent; compare with lower(domain)) and period.

-- One row per report: who reported what about which domain for which period.
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
       coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0)::bigint     AS pass,
       coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0)::bigint AS fail
  FROM aggregate_report a
  LEFT JOIN aggregate_record r ON r.report_id = a.id
 GROUP BY a.id;

-- One row per (policy domain, source address): who sends as the domain.
CREATE VIEW v_source_summary AS
SELECT lower(a.domain)                                        AS domain,
       r.source_ip,
       count(DISTINCT a.id)::bigint                           AS reports,
       sum(r.count)::bigint                                   AS messages,
       coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0)::bigint     AS pass,
       coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0)::bigint AS fail,
       min(a.date_begin)                                      AS first_seen,
       max(a.date_end)                                        AS last_seen
  FROM aggregate_report a
  JOIN aggregate_record r ON r.report_id = a.id
 GROUP BY lower(a.domain), r.source_ip;

-- One row per (policy domain, UTC day of date_begin): traffic and the
-- dispositions receivers applied (NULL or unknown dispositions count in
-- messages only).
CREATE VIEW v_daily_domain AS
SELECT lower(a.domain)                                        AS domain,
       (a.date_begin AT TIME ZONE 'UTC')::date                AS day,
       count(DISTINCT a.id)::bigint                           AS reports,
       sum(r.count)::bigint                                   AS messages,
       coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0)::bigint                 AS pass,
       coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0)::bigint             AS fail,
       coalesce(sum(r.count) FILTER (WHERE r.disposition = 'none'), 0)::bigint       AS disposition_none,
       coalesce(sum(r.count) FILTER (WHERE r.disposition = 'quarantine'), 0)::bigint AS disposition_quarantine,
       coalesce(sum(r.count) FILTER (WHERE r.disposition = 'reject'), 0)::bigint     AS disposition_reject
  FROM aggregate_report a
  JOIN aggregate_record r ON r.report_id = a.id
 GROUP BY lower(a.domain), (a.date_begin AT TIME ZONE 'UTC')::date;
