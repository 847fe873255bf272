// The command line of `ruactl fetch`, checked before anything connects:
// the mailbox URL, the password (a file or the environment, never the
// command line), the done folder, batch and watch settings. Throws
// UsageError for every bad value; reads no database and no network.
#pragma once

#include "cli.hpp"

#include <rua/imap.hpp>
#include <rua/limits.hpp>
#include <rua/process.hpp>
#include <rua/store.hpp>

#include <optional>
#include <string>

namespace ruactl {

struct FetchSettings {
    explicit FetchSettings(Args parsed) : args(std::move(parsed)) {}

    Args args;
    rua::imap::MailboxUrl url;
    std::string password;
    std::string ca_file; // empty: the system's trust store
    std::string done_folder = "rua-done";
    std::size_t batch = 100;
    std::optional<std::size_t> limit;
    bool watch = false;
    std::int64_t interval = 300; // seconds between passes with --watch
    rua::Limits limits;
    bool progress = false; // standard error is a terminal
};

FetchSettings fetch_settings(const std::string& name, const std::vector<std::string>& argv);

// Quarantine on, --failure-privacy, and the --rua entries from the
// registry (rua::Error for an address that is not registered).
rua::ProcessOptions fetch_process_options(const FetchSettings& settings, rua::ConnectionPool& pool);

} // namespace ruactl
