-- 0021: how a report arrived gains 'imap': pulled from a mailbox by `ruactl
-- fetch`, beside 'smtp' (the milter) and 'import' (files). Until now fetched
-- reports said 'import'; they keep it (which mailbox and UID is in `file`).
ALTER TABLE aggregate_report DROP CONSTRAINT aggregate_report_via_check,
    ADD CONSTRAINT aggregate_report_via_check CHECK (via IN ('smtp', 'import', 'imap'));
ALTER TABLE tlsrpt_report DROP CONSTRAINT tlsrpt_report_via_check,
    ADD CONSTRAINT tlsrpt_report_via_check CHECK (via IN ('smtp', 'import', 'imap'));
ALTER TABLE failure_report DROP CONSTRAINT failure_report_via_check,
    ADD CONSTRAINT failure_report_via_check CHECK (via IN ('smtp', 'import', 'imap'));
ALTER TABLE quarantine DROP CONSTRAINT quarantine_via_check,
    ADD CONSTRAINT quarantine_via_check CHECK (via IN ('smtp', 'import', 'imap'));
ALTER TABLE report_conflict DROP CONSTRAINT report_conflict_via_check,
    ADD CONSTRAINT report_conflict_via_check CHECK (via IN ('smtp', 'import', 'imap'));
