-- 0008: existing rows brought to the one normal form of addresses and domains
-- (core/src/address.cpp, rua::normalize_address / normalize_domain) as far
-- as SQL can: ASCII lower case and one trailing dot removed. What SQL cannot
-- do is IDNA: a U-label domain stored before this release stays as it is
-- (no RCPT or report ever matches it now); re-add it with `ruactl rua add` /
-- `ruactl domain add`, which store the A-label.
--
-- Where normalising makes two rows one (dmarc@example.net. beside
-- dmarc@example.net; a report stored once with <domain>example.com.</domain>
-- and once with example.com), the first row (lowest id) is kept and the later
-- one deleted, with its records. The kept report's fingerprint is not
-- recomputed (that is C++'s encoding): a later copy of a report whose domain
-- changed here is then counted as a conflict, not a duplicate.
-- Only the aggregate report's policy domain is part of an exactly-once key;
-- TLS-RPT and failure rows are keyed without it and are left alone.

CREATE FUNCTION pg_temp.rua_normal_domain(domain text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT regexp_replace(lower(btrim(domain) COLLATE "C"), '\.$', '')
$$;

-- rua_address: the domain after the last '@'.
CREATE FUNCTION pg_temp.rua_normal_address(address text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT regexp_replace(lower(btrim(address) COLLATE "C"), '\.$', '')
$$;

DELETE FROM rua_address a
 USING rua_address b
 WHERE pg_temp.rua_normal_address(a.address) = pg_temp.rua_normal_address(b.address)
   AND b.id < a.id;
UPDATE rua_address
   SET address = pg_temp.rua_normal_address(address)
 WHERE address <> pg_temp.rua_normal_address(address);

DELETE FROM account_domain a
 USING account_domain b
 WHERE a.account_id = b.account_id
   AND pg_temp.rua_normal_domain(a.domain) = pg_temp.rua_normal_domain(b.domain)
   AND a.domain <> b.domain
   AND (b.created_at, b.domain) < (a.created_at, a.domain);
UPDATE account_domain
   SET domain = pg_temp.rua_normal_domain(domain)
 WHERE domain <> pg_temp.rua_normal_domain(domain);

-- The exactly-once key is (reporter, report_id, lower(domain), date_begin,
-- date_end): drop the later of two rows that become one key, then normalise.
DELETE FROM aggregate_report a
 USING aggregate_report b
 WHERE a.reporter = b.reporter
   AND a.report_id = b.report_id
   AND a.date_begin = b.date_begin
   AND a.date_end = b.date_end
   AND pg_temp.rua_normal_domain(a.domain) = pg_temp.rua_normal_domain(b.domain)
   AND b.id < a.id;
UPDATE aggregate_report
   SET domain = pg_temp.rua_normal_domain(domain)
 WHERE domain <> pg_temp.rua_normal_domain(domain);
