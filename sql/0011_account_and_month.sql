-- 0011: the columns that partitioning and a distributed PostgreSQL need, added
-- before the tables are partitioned (0012):
--  * account_id on the large tables (reports, records, raw archives): the
--    account whose rua address received the report, else the account that
--    registered the report's policy domain; NULL when neither is known (an
--    import without --rua of a domain no account registered). It is the
--    natural distribution key of a PostgreSQL sharded by account.
--  * aggregate_record.date_begin: the report's date_begin repeated on each of
--    its records, so that records can be partitioned by the report's month.
--    The writer sends it in the records' COPY; it never differs from the
--    report's.
--  * raw_report.month: the UTC month the attachment arrived in, its partition
--    key. An attachment is kept once per (sha256, month): the same bytes
--    re-sent in a later month are stored again only if a report in them is
--    (a duplicate's new copy is dropped, as before).

ALTER TABLE aggregate_report ADD COLUMN account_id bigint;
UPDATE aggregate_report a
   SET account_id = coalesce(
       (SELECT r.account_id FROM rua_address r WHERE r.address = a.rua),
       (SELECT min(d.account_id) FROM account_domain d WHERE d.domain = lower(a.domain)));

ALTER TABLE aggregate_record ADD COLUMN date_begin timestamptz, ADD COLUMN account_id bigint;
UPDATE aggregate_record r
   SET date_begin = a.date_begin, account_id = a.account_id
  FROM aggregate_report a
 WHERE a.id = r.report_id;
ALTER TABLE aggregate_record ALTER COLUMN date_begin SET NOT NULL;

ALTER TABLE raw_report
    ADD COLUMN account_id bigint,
    ADD COLUMN month date NOT NULL DEFAULT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date;
UPDATE raw_report SET month = (date_trunc('month', created_at AT TIME ZONE 'UTC'))::date;
UPDATE raw_report w
   SET account_id = (SELECT min(a.account_id) FROM aggregate_report a WHERE a.raw_report_id = w.id);
ALTER TABLE raw_report DROP CONSTRAINT raw_report_sha256_key;
ALTER TABLE raw_report ADD CONSTRAINT raw_report_sha256_month_key UNIQUE (sha256, month);
