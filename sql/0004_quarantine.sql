-- 0004: messages that yielded no storable report (no attachment, a report the
-- parser refused, a foreign policy domain, a bound exceeded), kept whole so an
-- operator can look at them and `ruactl quarantine reprocess` them once the
-- parser learns better. Written by Store::quarantine; never read by the milter.
-- The raw message holds third-party personal data: purge it on a schedule.
CREATE TABLE quarantine (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at         timestamptz NOT NULL DEFAULT now(),
    via                 text        NOT NULL CHECK (via IN ('smtp', 'import')),
    rua                 text,
    file                text,
    queue_id            text,
    -- short and stable, for grouping: 'no_report', 'bad_report',
    -- 'foreign_domain', 'over_limit', ... (chosen by the caller)
    reason              text        NOT NULL CHECK (reason <> ''),
    detail              text,                  -- the error text, one line
    raw                 bytea       NOT NULL,
    size                bigint      GENERATED ALWAYS AS (octet_length(raw)) STORED,
    raw_sha256          bytea       GENERATED ALWAYS AS (sha256(raw)) STORED,
    resolved_at         timestamptz,           -- set by reprocess when it stored something
    resolved_report_ids bigint[]
);
CREATE INDEX quarantine_received_idx ON quarantine (received_at);
CREATE INDEX quarantine_unresolved_idx ON quarantine (id) WHERE resolved_at IS NULL;
-- A message is kept once per rua while it waits for an operator: the same
-- bytes for the same rua (re-imported, or re-sent by a sender after a
-- tempfail) find the unresolved row already there. Store::quarantine
-- inserts with ON CONFLICT on exactly these expressions and predicate.
CREATE UNIQUE INDEX quarantine_unresolved_once
    ON quarantine (raw_sha256, (coalesce(rua, ''))) WHERE resolved_at IS NULL;
