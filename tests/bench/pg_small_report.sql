-- pgbench script: the single-connection floor for storing one small
-- aggregate report, the same transaction shape as Store::store
-- (core/src/store/store.cpp, core/src/kinds/aggregate/store.cpp): the raw
-- attachment (insert-or-find by sha256), the report row (ON CONFLICT on the
-- exactly-once key, account looked up), then its 3 records - INSERT here where
-- the store uses COPY. Run by tests/bench/bench.py against a migrated database
-- whose bench account has dmarc-rua@example.com; never touches other tables.
\set n random(1, 2000000000)
BEGIN;
WITH ins AS (
    INSERT INTO raw_report (data, content_type, filename, format, account_id)
    VALUES (decode(repeat(md5(:n::text || clock_timestamp()::text), 24), 'hex'),
            'application/gzip', 'google.com!example.com!1707696000!1707782399.xml.gz', 'gzip',
            (SELECT account_id FROM rua_address WHERE address = 'dmarc-rua@example.com'))
    ON CONFLICT (sha256, month) DO NOTHING RETURNING id)
SELECT id AS raw_id FROM ins \gset
INSERT INTO aggregate_report (org_name, email, report_id, date_begin, date_end, domain, adkim, aspf,
                              p, sp, pct, schema_flavour, via, rua, file, fingerprint,
                              record_count, message_count, raw_report_id, raw_sha256, account_id)
VALUES ('google.com', 'noreply-dmarc-support@google.com', 'bench-' || :n || '-' || clock_timestamp(),
        to_timestamp(1707696000), to_timestamp(1707782399), 'example.com', 'r', 'r', 'none', 'none',
        100, 'rfc7489', 'import', 'dmarc-rua@example.com', 'small.eml',
        sha256(convert_to(:n::text || clock_timestamp()::text, 'UTF8')), 3, 5, :raw_id,
        (SELECT sha256 FROM raw_report WHERE id = :raw_id),
        coalesce((SELECT account_id FROM rua_address WHERE address = 'dmarc-rua@example.com'),
                 (SELECT min(account_id) FROM account_domain WHERE domain = 'example.com')))
ON CONFLICT (reporter, report_id, lower(domain), date_begin, date_end) DO NOTHING
RETURNING id AS rid, account_id AS aid \gset
INSERT INTO aggregate_record (report_id, ordinal, date_begin, account_id, source_ip, count,
                              disposition, dkim, spf, header_from, envelope_from, envelope_to,
                              dmarc_pass, reasons, auth_dkim, auth_spf)
VALUES (:rid, 0, to_timestamp(1707696000), :aid, '209.85.220.41', 1, 'none', 'pass', 'pass',
        'example.com', 'example.com', NULL, true, '[]',
        '[{"domain":"example.com","selector":"google","result":"pass","human_result": null}]',
        '[{"domain":"example.com","scope":"mfrom","result":"pass","human_result": null}]'),
       (:rid, 1, to_timestamp(1707696000), :aid, '2a00:1450:4864:20::32a', 3, 'none', 'pass', 'fail',
        'example.com', 'sendgrid.net', NULL, true, '[]',
        '[{"domain":"example.com","selector":"s1","result":"pass","human_result": null}]',
        '[{"domain":"sendgrid.net","scope":"mfrom","result":"pass","human_result": null}]'),
       (:rid, 2, to_timestamp(1707696000), :aid, '198.51.100.7', 1, 'reject', 'fail', 'fail',
        'example.com', 'evil.test', NULL, false,
        '[{"type":"local_policy","comment":"x"}]',
        '[{"domain":"evil.test","selector":"k1","result":"fail","human_result": null}]',
        '[{"domain":"evil.test","scope":"mfrom","result":"softfail","human_result": null}]');
COMMIT;
