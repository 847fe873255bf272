// `ruactl authz records|check`: RFC 7489 section 7.1 for a provider whose
// rua addresses receive other domains' reports. Thin: the registry from
// rua::Admin, the records and the check from rua/authz.hpp, DNS from
// rua/dns.hpp. Text read from DNS is the domain owner's: printed only
// through printable_cell.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/authz.hpp>
#include <rua/dns.hpp>

#include <algorithm>

namespace ruactl {

namespace {

constexpr std::uint64_t k_max_timeout_seconds = 300;

std::vector<rua::RuaEntry> active_ruas(Session& session,
                                       const std::optional<std::string>& account) {
    auto entries = session.admin().ruas();
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [&](const rua::RuaEntry& e) {
                                     return !e.active || (account && e.account != *account);
                                 }),
                  entries.end());
    return entries;
}

} // namespace

int cmd_authz_records(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}, {"--wildcard", false, false}});
    args.expect_operands(0, 0, "");
    Session session(args);
    const auto account = args.value("--account");
    const auto entries = active_ruas(session, account);
    if (account && entries.empty()) {
        complain("{}: account {} has no active rua address", name, printable_cell(*account));
        return k_exit_failure;
    }
    std::vector<std::string> unlisted;
    const auto records = rua::authorization_records(entries, args.has("--wildcard"), unlisted);
    for (const auto& address : unlisted) {
        complain("{}: {} lists no domain (it accepts reports for any): no record names its "
                 "customers; use --wildcard or list them with 'ruactl domain add'",
                 name, address);
    }
    write_stdout(rua::zone_lines(records));
    return k_exit_ok;
}

int cmd_authz_check(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--resolver", true, false}, {"--timeout", true, false}});
    args.expect_operands(1, 1, "DOMAIN");
    const auto timeout =
        args.value("--timeout")
            ? parse_count(name + ": --timeout", *args.value("--timeout"), k_max_timeout_seconds)
            : 5;
    if (timeout == 0) {
        throw UsageError(fmt::format("{}: --timeout must be at least 1 second", name));
    }
    Session session(args);
    const auto entries = active_ruas(session, std::nullopt);
    rua::UnboundResolver resolver(args.value("--resolver"),
                                  std::chrono::seconds(static_cast<std::int64_t>(timeout)));
    rua::AuthzCheck check;
    try {
        check = rua::check_authorization(args.operands()[0], entries, resolver);
    } catch (const std::invalid_argument& e) {
        throw UsageError(fmt::format("{}: {}", name, e.what()));
    }
    std::string out;
    if (!check.record.empty()) {
        out += fmt::format("{}: {}\n", check.record_name, printable_cell(check.record));
    }
    for (const auto& finding : check.findings) {
        const char* level = finding.level == rua::AuthzFinding::Level::ok        ? "ok"
                            : finding.level == rua::AuthzFinding::Level::missing ? "MISSING"
                                                                                 : "FAILED";
        out += fmt::format("{:<8}{}\n", level, printable_cell(finding.text));
    }
    write_stdout(out);
    if (check.dns_failed()) {
        return k_exit_tempfail;
    }
    return check.all_ok() ? k_exit_ok : k_exit_failure;
}

} // namespace ruactl
