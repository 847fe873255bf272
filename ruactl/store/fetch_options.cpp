// Reads and checks `ruactl fetch`'s options (fetch_options.hpp). The
// password is taken from --password-file or RUA_IMAP_PASSWORD only: a
// command line is readable by every user of the machine.
#include "fetch_options.hpp"

#include "limits_options.hpp"
#include "session.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

namespace ruactl {

namespace {

constexpr std::size_t k_max_batch = 10000;
constexpr std::size_t k_max_password = 1024;

std::string read_password(const Args& args) {
    if (const auto file = args.value("--password-file")) {
        std::ifstream in(*file, std::ios::binary);
        if (!in) {
            throw UsageError(fmt::format("--password-file: cannot read '{}': {}", *file,
                                         std::generic_category().message(errno)));
        }
        std::string line;
        std::getline(in, line);
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line.size() > k_max_password) {
            throw UsageError(fmt::format("--password-file: '{}' must hold the password on its "
                                         "first line (1 to {} bytes)",
                                         *file, k_max_password));
        }
        return line;
    }
    // getenv before any thread starts: concurrency-mt-unsafe is moot here.
    const char* env = std::getenv("RUA_IMAP_PASSWORD"); // NOLINT(concurrency-mt-unsafe)
    if (env != nullptr && *env != '\0') {
        return env;
    }
    throw UsageError("no password: give --password-file FILE or set RUA_IMAP_PASSWORD");
}

} // namespace

FetchSettings fetch_settings(const std::string& name, const std::vector<std::string>& argv) {
    auto specs = limit_options();
    for (const char* option :
         {"--password-file", "--done-folder", "--ca-file", "--interval", "--batch", "--limit"}) {
        specs.push_back({option, true, false});
    }
    specs.push_back({"--rua", true, true});
    specs.push_back({"--watch", false, false});
    FetchSettings s(Args(name, argv, specs));
    const Args& args = s.args;
    args.expect_operands(1, 1, "MAILBOX-URL");
    s.limits = limits_from(args);
    try {
        s.url = rua::imap::parse_mailbox_url(args.operands().front());
        if (const auto folder = args.value("--done-folder")) {
            s.done_folder = *folder;
        }
        rua::imap::check_folder_name("--done-folder", s.done_folder);
    } catch (const rua::BadInput& e) {
        throw UsageError(e.what());
    }
    if (s.done_folder == s.url.mailbox) {
        throw UsageError("--done-folder must not be the mailbox fetched from");
    }
    if (const auto v = args.value("--batch")) {
        s.batch = static_cast<std::size_t>(parse_count("--batch", *v, k_max_batch));
    }
    if (const auto v = args.value("--limit")) {
        s.limit = static_cast<std::size_t>(parse_count("--limit", *v, 1ULL << 40));
    }
    s.watch = args.has("--watch");
    if (const auto v = args.value("--interval")) {
        if (!s.watch) {
            throw UsageError("--interval goes with --watch");
        }
        s.interval = parse_duration("--interval", *v);
        if (s.interval < 1 || s.interval > 86400) {
            throw UsageError("--interval must be from 1s to 1d");
        }
    }
    if (const auto v = args.value("--ca-file")) {
        if (access(v->c_str(), R_OK) != 0) {
            throw UsageError(fmt::format("--ca-file: cannot read '{}': {}", *v,
                                         std::generic_category().message(errno)));
        }
        s.ca_file = *v;
    }
    s.password = read_password(args);
    s.progress = isatty(STDERR_FILENO) == 1;
    return s;
}

rua::ProcessOptions fetch_process_options(const FetchSettings& settings,
                                          rua::ConnectionPool& pool) {
    rua::ProcessOptions options;
    options.quarantine_bad = true;
    options.privacy = privacy_from(settings.args);
    options.ruas = registered_ruas(settings.args, pool);
    return options;
}

} // namespace ruactl
