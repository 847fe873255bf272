// The entry point of every ruactl command. Each takes its name (for
// messages) and the words after it, parses them with Args, and returns the
// exit status; usage errors are thrown as UsageError, failures as rua::Error.
#pragma once

#include <string>
#include <vector>

namespace ruactl {

using Argv = std::vector<std::string>;

int cmd_parse(const std::string& name, const Argv& argv);
// Keeps main's arguments for the parse-only ruactl, which hands database
// commands to ruactl-store (forward_store.cpp); a no-op in ruactl-store.
void save_arguments(int argc, char** argv);
int cmd_db_migrate(const std::string& name, const Argv& argv);
int cmd_alert_add(const std::string& name, const Argv& argv);
int cmd_alert_list(const std::string& name, const Argv& argv);
int cmd_alert_remove(const std::string& name, const Argv& argv);
int cmd_alerts_run(const std::string& name, const Argv& argv);
int cmd_alerts_list(const std::string& name, const Argv& argv);
int cmd_db_status(const std::string& name, const Argv& argv);
int cmd_account_add(const std::string& name, const Argv& argv);
int cmd_account_list(const std::string& name, const Argv& argv);
int cmd_domain_add(const std::string& name, const Argv& argv);
int cmd_domain_remove(const std::string& name, const Argv& argv);
int cmd_rua_add(const std::string& name, const Argv& argv);
int cmd_rua_list(const std::string& name, const Argv& argv);
int cmd_rua_remove(const std::string& name, const Argv& argv);
int cmd_rua_disable(const std::string& name, const Argv& argv);
int cmd_rua_enable(const std::string& name, const Argv& argv);
int cmd_import(const std::string& name, const Argv& argv);
int cmd_fetch(const std::string& name, const Argv& argv);
int cmd_quarantine_list(const std::string& name, const Argv& argv);
int cmd_quarantine_show(const std::string& name, const Argv& argv);
int cmd_quarantine_reprocess(const std::string& name, const Argv& argv);
int cmd_quarantine_purge(const std::string& name, const Argv& argv);
int cmd_summary(const std::string& name, const Argv& argv);
int cmd_conflicts_list(const std::string& name, const Argv& argv);
int cmd_retention_apply(const std::string& name, const Argv& argv);
int cmd_rollup_fold(const std::string& name, const Argv& argv);
int cmd_token_add(const std::string& name, const Argv& argv);
int cmd_token_list(const std::string& name, const Argv& argv);
int cmd_token_revoke(const std::string& name, const Argv& argv);
int cmd_authz_records(const std::string& name, const Argv& argv);
int cmd_authz_check(const std::string& name, const Argv& argv);
int cmd_enrich(const std::string& name, const Argv& argv);
int cmd_provider_load(const std::string& name, const Argv& argv);
int cmd_provider_add(const std::string& name, const Argv& argv);
int cmd_provider_remove(const std::string& name, const Argv& argv);
int cmd_source_approve(const std::string& name, const Argv& argv);
int cmd_source_unapprove(const std::string& name, const Argv& argv);
int cmd_source_list(const std::string& name, const Argv& argv);

} // namespace ruactl
