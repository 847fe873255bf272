-- 0002: the registry: which rua addresses we accept reports for, grouped in
-- accounts, and the policy domains each account owns. The milter loads it as
-- one snapshot (Store::load_registry); ruactl manages it. Addresses and
-- domains are stored normalised (lower case, trimmed, no angle brackets), so
-- equality is plain text equality; the CHECKs refuse anything else.

CREATE TABLE account (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (name <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rua_address (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- lower(... COLLATE "C") folds ASCII only, as Registry::normalize_address does.
    address    text        NOT NULL UNIQUE
               CHECK (address <> '' AND address = lower(address COLLATE "C") AND address = btrim(address)
                      AND address NOT LIKE '<%'),
    account_id bigint      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rua_address_account_idx ON rua_address (account_id);

-- An account with no row here accepts reports for any policy domain; with
-- rows, only for these domains and their subdomains (Registry::owns_domain).
CREATE TABLE account_domain (
    account_id bigint      NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    domain     text        NOT NULL
               CHECK (domain <> '' AND domain = lower(domain COLLATE "C") AND domain = btrim(domain)),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, domain)
);
