-- 0009: conflicting copies. A report whose exactly-once key is already stored
-- but whose content (fingerprint) differs is not stored in its kind's table:
-- the first stored copy stays. Since the key is chosen by the sender
-- (org_name/report_id/domain, organization-name/report-id), a forged early
-- copy could shadow the real one, so every conflicting copy is kept here,
-- once per (kind, stored report, fingerprint): a repeated delivery of the same
-- copy adds nothing. Written only by Store::store (core/src/store/store.cpp);
-- read by `ruactl conflicts list`. The failure kind's key is its fingerprint,
-- so it never conflicts.
--
-- `resolution` is NULL while the conflict is open. A later release may let an
-- authenticated copy replace an unauthenticated one and record here what was
-- decided ('kept', 'replaced', ...) and when (resolved_at); nothing sets it yet.

CREATE TABLE report_conflict (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text        NOT NULL,    -- Report::kind(): 'aggregate', 'tlsrpt'
    report_key       jsonb       NOT NULL,    -- the kind's exactly-once key, as sent
    stored_report_id bigint      NOT NULL,    -- the first stored copy, in the kind's table
    fingerprint      bytea       NOT NULL,    -- the conflicting copy's
    -- the conflicting copy's attachment exactly as it came (kept in raw_report)
    raw_report_id    bigint      REFERENCES raw_report (id) ON DELETE SET NULL,
    -- how the conflicting copy reached us
    received_at      timestamptz NOT NULL DEFAULT now(),
    via              text        NOT NULL CHECK (via IN ('smtp', 'import')),
    rua              text,
    file             text,
    queue_id         text,
    resolution       text,
    resolved_at      timestamptz,
    UNIQUE (kind, stored_report_id, fingerprint)
);
CREATE INDEX report_conflict_raw_idx ON report_conflict (raw_report_id);
