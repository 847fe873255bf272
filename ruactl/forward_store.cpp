// The parse-only ruactl: the commands that need the database run in
// ruactl-store (the same command table, linked with the store), exec'd with
// this process's own arguments. `ruactl parse` thus never loads libpq,
// OpenSSL or Kerberos. Must never run a database command itself.
#include "commands.hpp"
#include "output.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

#ifndef RUA_LIBEXEC_DIR
#define RUA_LIBEXEC_DIR "/usr/libexec/rua-milter"
#endif

namespace ruactl {

namespace {

std::vector<std::string>& saved_argv() {
    static std::vector<std::string> k_argv;
    return k_argv;
}

// ruactl-store beside this executable (a build tree), else the installed one.
std::string store_program() {
    std::string self(4096, '\0');
    const ssize_t n = readlink("/proc/self/exe", self.data(), self.size() - 1);
    if (n > 0) {
        self.resize(static_cast<std::size_t>(n));
        const auto slash = self.rfind('/');
        std::string beside = self.substr(0, slash + 1) + "ruactl-store";
        if (access(beside.c_str(), X_OK) == 0) {
            return beside;
        }
    }
    return RUA_LIBEXEC_DIR "/ruactl-store";
}

int forward(const std::string& /*name*/, const Argv& /*argv*/) {
    const std::string program = store_program();
    std::vector<char*> args;
    std::string zero = "ruactl";
    args.push_back(zero.data());
    for (auto& arg : saved_argv()) {
        args.push_back(arg.data());
    }
    args.push_back(nullptr);
    flush_stdout();
    execv(program.c_str(), args.data());
    complain("cannot run {}: {}", program, std::generic_category().message(errno));
    return EX_UNAVAILABLE;
}

} // namespace

void save_arguments(int argc, char** argv) {
    saved_argv().assign(argv + 1, argv + argc);
}

int cmd_db_migrate(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_db_status(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_account_add(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_account_list(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_domain_add(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_domain_remove(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_rua_add(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_rua_list(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_rua_remove(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_rua_disable(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_rua_enable(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_import(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_fetch(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_quarantine_list(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_quarantine_show(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_quarantine_reprocess(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_quarantine_purge(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_summary(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_conflicts_list(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_retention_apply(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_rollup_fold(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_token_add(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_token_list(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_token_revoke(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_authz_records(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_authz_check(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_enrich(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_provider_load(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_provider_add(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_provider_remove(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_source_approve(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_source_unapprove(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_source_list(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_alert_add(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_alert_list(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_alert_remove(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_alerts_run(const std::string& n, const Argv& a) {
    return forward(n, a);
}
int cmd_alerts_list(const std::string& n, const Argv& a) {
    return forward(n, a);
}

} // namespace ruactl
