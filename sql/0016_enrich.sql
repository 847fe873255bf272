-- 0016: who the sending sources are (issue 11, enrichment). The storing
-- transaction only queues source addresses it has not resolved recently
-- (source_queue: one INSERT per report); `ruactl enrich` (the worker, never on
-- the SMTP path) takes them off the queue and writes what DNS and the optional
-- MMDB say into source_host. provider_map names senders by the base domain of
-- a confirmed PTR, a DKIM d= or an SPF domain; approved_source says which
-- providers or networks a domain owner expects to send as their domain.
--
-- Nothing here is read by the milter; nothing here may slow a report's
-- transaction beyond that one INSERT.

-- One row per source address the worker has looked at. status is the outcome
-- of the reverse lookup: ok (a PTR name, ptr_confirmed says whether its A/AAAA
-- records contain the address), nxdomain (no PTR), servfail, timeout; pending
-- while never resolved. expires_at is when the answer stops being trusted
-- (resolution time + the DNS TTL, bounded by the worker): a report that names
-- the address after that queues it again.
CREATE TABLE source_host (
    ip            inet        PRIMARY KEY,
    ptr           text,
    ptr_confirmed boolean,
    base_domain   text,                  -- registrable domain of ptr (libpsl)
    asn           bigint,
    as_name       text,
    country       text,                  -- ISO 3166-1 alpha-2, from the MMDB
    provider      text,                  -- from provider_map by ptr, when confirmed
    provider_type text,
    status        text        NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'ok', 'nxdomain', 'servfail', 'timeout')),
    resolved_at   timestamptz,
    expires_at    timestamptz
);
CREATE INDEX source_host_expires_idx ON source_host (expires_at);

-- Addresses waiting for the worker. Only new ones: the store inserts the
-- report's distinct source addresses that have no unexpired source_host row,
-- ON CONFLICT DO NOTHING (an address already queued stays queued once).
CREATE TABLE source_queue (
    ip        inet        PRIMARY KEY,
    queued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX source_queue_queued_idx ON source_queue (queued_at);

-- Known senders. kind: which signal names the domain ('ptr': the PTR name or
-- one of its parent domains, 'dkim': a DKIM d= domain or a parent, 'spf': the
-- SPF domain or a parent). origin 'shipped' rows come from the project's data
-- file (`ruactl provider load`, replaced as a whole); 'operator' rows from
-- `ruactl provider add` and always win over shipped ones.
CREATE TABLE provider_map (
    kind          text NOT NULL CHECK (kind IN ('ptr', 'dkim', 'spf')),
    domain        text NOT NULL
                  CHECK (domain <> '' AND domain = lower(domain COLLATE "C") AND domain = btrim(domain, ' .')),
    provider      text NOT NULL CHECK (provider <> ''),
    provider_type text NOT NULL CHECK (provider_type <> ''),
    origin        text NOT NULL DEFAULT 'shipped' CHECK (origin IN ('shipped', 'operator')),
    PRIMARY KEY (kind, domain, origin)
);

-- Sources a domain owner approves, by provider name (as provider_map names
-- it, compared case-insensitively) or by network. account_id NULL: for every
-- account. A row for a domain covers its subdomains too.
CREATE TABLE approved_source (
    account_id bigint      REFERENCES account (id) ON DELETE CASCADE,
    domain     text        NOT NULL
               CHECK (domain <> '' AND domain = lower(domain COLLATE "C") AND domain = btrim(domain)),
    provider   text        CHECK (provider <> ''),
    cidr       cidr,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((provider IS NULL) <> (cidr IS NULL))
);
CREATE UNIQUE INDEX approved_source_key ON approved_source (account_id, domain, provider, cidr)
    NULLS NOT DISTINCT;
CREATE INDEX approved_source_domain_idx ON approved_source (domain);

-- 'Mail.Example.COM.' -> {mail.example.com, example.com, com}: the domain and
-- each parent, longest first; NULL or empty gives an empty array.
CREATE FUNCTION rua_domain_suffixes(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(array_to_string(l[i:], '.') ORDER BY i), '{}')
      FROM (SELECT string_to_array(lower(btrim($1, ' .') COLLATE "C"), '.') AS l) s,
           generate_series(1, coalesce(array_length(s.l, 1), 0)) AS i
     WHERE btrim($1, ' .') <> ''
$$;

-- The provider_map row for a name of one kind: an operator row before a
-- shipped one, then the longest (most specific) matching domain.
CREATE FUNCTION rua_provider_row(kind text, name text)
RETURNS TABLE (provider text, provider_type text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT m.provider, m.provider_type
      FROM provider_map m
     WHERE m.kind = $1 AND m.domain = ANY (rua_domain_suffixes($2))
     ORDER BY (m.origin = 'operator') DESC, length(m.domain) DESC
     LIMIT 1
$$;

-- The provider of a source: named by its PTR (only a forward-confirmed one:
-- anyone may put any name in the reverse zone of their own addresses), else
-- by the DKIM d= domain, else by the SPF domain. Callers pass the d= of a
-- passing signature (a failing d= is the sender's claim). NULL: unknown.
CREATE FUNCTION rua_source_provider(ip inet, dkim_domain text, spf_domain text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT p.provider FROM source_host h, rua_provider_row('ptr', h.ptr) p
          WHERE h.ip = $1 AND h.ptr_confirmed),
        (SELECT p.provider FROM rua_provider_row('dkim', $2) p),
        (SELECT p.provider FROM rua_provider_row('spf', $3) p))
$$;

-- Its type, by the same rule (mailbox, esp, gateway, forwarder, ...).
CREATE FUNCTION rua_source_provider_type(ip inet, dkim_domain text, spf_domain text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT p.provider_type FROM source_host h, rua_provider_row('ptr', h.ptr) p
          WHERE h.ip = $1 AND h.ptr_confirmed),
        (SELECT p.provider_type FROM rua_provider_row('dkim', $2) p),
        (SELECT p.provider_type FROM rua_provider_row('spf', $3) p))
$$;

-- Whether a source sending as domain is approved for the account: a row of
-- that account (or of every account) for the domain or a parent of it whose
-- network contains ip or whose provider is provider.
CREATE FUNCTION rua_source_approved(account bigint, domain text, ip inet, provider text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM approved_source a
         WHERE (a.account_id IS NULL OR a.account_id = $1)
           AND a.domain = ANY (rua_domain_suffixes($2))
           AND (a.cidr >>= $3 OR lower(a.provider) = lower($4)))
$$;
