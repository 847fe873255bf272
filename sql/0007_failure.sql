-- 0007: DMARC failure reports (RFC 6591 ARF as updated by RFC 9991, and the
-- plain-text notices some senders use instead), one row per report. Written
-- only by the failure kind's writer (core/src/kinds/failure/store.cpp), in
-- Store::store's transaction; the column list is its field table
-- (core/src/kinds/failure/table.cpp) plus the arrival columns.
--
-- Privacy (RFC 9991, Privacy Considerations). A failure report carries a
-- copy of somebody's message. `privacy` records the setting the row was
-- stored under:
--   'redacted' (the default) local parts of addresses masked (j***@example.com),
--              the original's Subject kept only as original_subject_sha256 and
--              original_subject_length (original_subject is NULL), no body;
--   'headers'  the same fields unmasked, no body;
--   'full'     the body too (original_body, cut at max_original_body_bytes).
-- The raw_report a row points at follows the same setting: under 'redacted'
-- and 'headers' it is a small ARF e-mail rebuilt from the kept fields, never
-- the message as received.
--
-- Exactly once: failure reports have no identifier of their own, so the key
-- is their content (the feedback fields, the original's Message-ID, the
-- reported domain), taken before redaction; `fingerprint` is its sha256. The
-- same report again is always a duplicate, never a conflict.
--
-- Retention: DELETE FROM failure_report WHERE received_at < now() - interval
-- '90 days'; then the raw_report rows no report of any kind refers to.
CREATE TABLE failure_report (
    id                      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    format                  text        NOT NULL CHECK (format IN ('arf', 'text')),
    -- the message/feedback-report fields (enumerations lower-cased, as text:
    -- senders invent values)
    feedback_type           text,
    user_agent              text,
    version                 text,
    arrival_date            timestamptz,            -- Arrival-Date, else Received-Date
    source_ip               inet,
    reported_domain         text,
    original_mail_from      text,
    original_rcpt_to        text[]      NOT NULL DEFAULT '{}',
    reporting_mta           text,
    auth_failure            text[]      NOT NULL DEFAULT '{}',
    delivery_result         text,
    identity_alignment      text[]      NOT NULL DEFAULT '{}',
    dkim_domain             text,
    dkim_identity           text,
    dkim_selector           text,
    spf_dns                 text,
    authentication_results  text[]      NOT NULL DEFAULT '{}',
    feedback_fields         text        NOT NULL,   -- every field, "Name: value" lines
    warnings                text[]      NOT NULL DEFAULT '{}',
    -- the original message
    original_from           text,
    original_to             text[]      NOT NULL DEFAULT '{}',
    original_subject        text,                   -- NULL under 'redacted'
    original_message_id     text,
    original_date           timestamptz,
    original_headers_only   boolean     NOT NULL,
    original_body_bytes     bigint      CHECK (original_body_bytes >= 0),
    original_subject_sha256 text,                   -- hex sha256 of the decoded Subject
    original_subject_length integer     CHECK (original_subject_length >= 0),
    original_headers        text        NOT NULL,   -- "Name: value" lines
    original_body           bytea,                  -- only under 'full'
    privacy                 text        NOT NULL CHECK (privacy IN ('redacted', 'headers', 'full')),
    -- how it reached us
    received_at             timestamptz NOT NULL DEFAULT now(),
    via                     text        NOT NULL CHECK (via IN ('smtp', 'import')),
    rua                     text,
    file                    text,
    queue_id                text,
    raw_report_id           bigint      REFERENCES raw_report (id) ON DELETE SET NULL,
    -- sha256 of the content key (FailureReport::fingerprint()).
    fingerprint             bytea       NOT NULL,
    -- the domain the report is about, as Report::domains() says: the
    -- Reported-Domain, else the domain of the original's From (kept by masking).
    domain                  text        GENERATED ALWAYS AS
                            (lower(coalesce(nullif(btrim(reported_domain), ''),
                                            nullif(split_part(original_from, '@', 2), '')))) STORED,
    CHECK (privacy = 'full' OR original_body IS NULL),
    CHECK (privacy <> 'redacted' OR original_subject IS NULL)
);
-- Exactly once; the writer inserts with ON CONFLICT (fingerprint) DO NOTHING.
CREATE UNIQUE INDEX failure_report_key ON failure_report (fingerprint);
CREATE INDEX failure_report_domain_idx
    ON failure_report (domain, (coalesce(arrival_date, received_at)));
CREATE INDEX failure_report_raw_idx ON failure_report (raw_report_id);
