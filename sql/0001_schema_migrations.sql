-- 0001: the ledger of applied migrations. The runner (rua::migrate) reads it to
-- know what is pending and adds one row per file in the same transaction as
-- the file itself. This file must only ever create the ledger: everything
-- else belongs in later, numbered files. Never edit an applied file: add one.
CREATE TABLE schema_migrations (
    version    integer     PRIMARY KEY,          -- the file's leading number
    name       text        NOT NULL,             -- the file name without number and .sql
    applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE schema_migrations IS 'Migrations applied by rua::migrate (one row per sql/NNNN_name.sql).';
