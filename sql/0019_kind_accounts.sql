-- 0019: the account on TLS and failure reports, as on aggregate reports
-- (0011). A domain may be listed for two accounts (a customer and the
-- consultant who reads its reports); each sees the reports that reached its
-- own rua address, not the other's. The account is the one of the rua
-- address the report was sent to, set as the row is inserted. A report with
-- no known rua address (`ruactl import`, an address since removed) keeps a
-- NULL account and stays visible to every account that lists its domain, as
-- before. Also the distribution key, should these tables ever be sharded by
-- account (README, "Beyond one primary").

ALTER TABLE tlsrpt_report ADD COLUMN account_id bigint;
ALTER TABLE failure_report ADD COLUMN account_id bigint;

UPDATE tlsrpt_report t SET account_id = r.account_id
  FROM rua_address r WHERE r.address = t.rua;
UPDATE failure_report f SET account_id = r.account_id
  FROM rua_address r WHERE r.address = f.rua;

-- One lookup by primary key per report; the writers need not know.
CREATE FUNCTION rua_account_of_rua() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.account_id IS NULL AND NEW.rua IS NOT NULL THEN
        SELECT r.account_id INTO NEW.account_id FROM rua_address r WHERE r.address = NEW.rua;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER tlsrpt_report_account BEFORE INSERT ON tlsrpt_report
    FOR EACH ROW EXECUTE FUNCTION rua_account_of_rua();
CREATE TRIGGER failure_report_account BEFORE INSERT ON failure_report
    FOR EACH ROW EXECUTE FUNCTION rua_account_of_rua();
