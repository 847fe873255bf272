-- 0006: SMTP TLS reports (RFC 8460) as received: one tlsrpt_report row per
-- report, its policies (tlsrpt_policy) and their failure details
-- (tlsrpt_failure); the attachment itself is kept in raw_report (0003).
-- Written only by the tlsrpt kind's writer (core/src/kinds/tlsrpt/store.cpp),
-- one transaction per message; its column lists come from the kind's field
-- tables (core/src/kinds/tlsrpt/fields.cpp): keep the two in step.
--
-- Enumerations (policy_type, result_type) are plain text without CHECKs:
-- senders invent values, and the parser keeps them lower-cased and flags the
-- unknown ones in warnings. Nothing here may reject a report the parser
-- accepted, except values no column can hold (NUL bytes, counts past bigint).
--
-- Row counts are small (a report has a few policies and rarely more than a
-- few dozen failure details), so plain foreign keys with ON DELETE CASCADE
-- tie the three tables together; retention is by report:
--
--     DELETE FROM tlsrpt_report WHERE date_end < now() - interval '400 days';

CREATE TABLE tlsrpt_report (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_name text        NOT NULL,
    report_id         text        NOT NULL,
    contact_info      text,
    date_begin        timestamptz NOT NULL,    -- date-range, fractions floored
    date_end          timestamptz NOT NULL,
    policy_count      integer     NOT NULL CHECK (policy_count >= 0),
    warnings          text[]      NOT NULL DEFAULT '{}',
    -- how it reached us
    received_at       timestamptz NOT NULL DEFAULT now(),
    via               text        NOT NULL CHECK (via IN ('smtp', 'import')),
    rua               text,
    file              text,
    queue_id          text,
    raw_report_id     bigint      REFERENCES raw_report (id) ON DELETE SET NULL,
    raw_sha256        bytea,
    -- sha256 of the report's content in a fixed encoding (TlsReport::fingerprint:
    -- every report, policy and failure field, nothing about how it arrived).
    -- Same key and same fingerprint: a duplicate; same key, other fingerprint:
    -- a conflict.
    fingerprint       bytea       NOT NULL
);
-- Exactly once: a TLS report is (organization-name, report-id), as sent.
-- The writer inserts with ON CONFLICT (organization_name, report_id) DO NOTHING.
CREATE UNIQUE INDEX tlsrpt_report_key ON tlsrpt_report (organization_name, report_id);
CREATE INDEX tlsrpt_report_end_idx ON tlsrpt_report (date_end);
CREATE INDEX tlsrpt_report_raw_idx ON tlsrpt_report (raw_report_id);

CREATE TABLE tlsrpt_policy (
    report_id     bigint  NOT NULL REFERENCES tlsrpt_report (id) ON DELETE CASCADE,
    ordinal       integer NOT NULL,            -- 0-based position in the report
    policy_type   text    NOT NULL,            -- 'sts', 'tlsa', 'no-policy-found', ...
    policy_string text[]  NOT NULL DEFAULT '{}',
    policy_domain text    NOT NULL,            -- as sent, less one trailing dot
    mx_host       text[]  NOT NULL DEFAULT '{}',
    successful    bigint  NOT NULL CHECK (successful >= 0),
    failed        bigint  NOT NULL CHECK (failed >= 0),
    PRIMARY KEY (report_id, ordinal)
);
-- The summary and the account's domains look policies up by domain.
CREATE INDEX tlsrpt_policy_domain_idx ON tlsrpt_policy (lower(policy_domain));

CREATE TABLE tlsrpt_failure (
    report_id              bigint  NOT NULL,
    policy_ordinal         integer NOT NULL,
    ordinal                integer NOT NULL,   -- 0-based position in its policy
    result_type            text    NOT NULL,
    sending_mta_ip         inet,
    receiving_mx_hostname  text,
    receiving_mx_helo      text,
    receiving_ip           inet,
    failed_session_count   bigint  NOT NULL CHECK (failed_session_count >= 0),
    additional_information text,
    failure_reason_code    text,
    PRIMARY KEY (report_id, policy_ordinal, ordinal),
    FOREIGN KEY (report_id, policy_ordinal)
        REFERENCES tlsrpt_policy (report_id, ordinal) ON DELETE CASCADE
);
