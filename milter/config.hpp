// The daemon's configuration: `Key value` lines in the opendkim.conf style,
// parsed, validated, then frozen into an immutable Config shared between
// threads. Must never hand out a half-validated Config: every error is
// collected and reported as `file:line: ...`, and nothing is returned.
#pragma once

#include "config_values.hpp"

#include <rua/limits.hpp>
#include <rua/model.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua::milter {

enum class AfterIngest { remove, deliver };
enum class OnBadReport { quarantine, reject };
enum class LogLevel { error, warning, info, debug };

struct Config {
    std::string file; // where it was read from (for messages)
    std::string socket = "unix:/run/rua-milter/rua-milter.sock";
    std::string database_uri;
    std::vector<std::string> report_domains; // normalize_domain's form
    AfterIngest after_ingest = AfterIngest::remove;
    OnBadReport on_bad_report = OnBadReport::quarantine;
    Privacy failure_privacy = Privacy::redacted; // FailureReportPrivacy
    Limits limits;
    std::optional<std::string> user;  // UserID: user part
    std::optional<std::string> group; // UserID: group part, when given
    std::optional<std::string> pid_file;
    std::string syslog_facility = "mail";
    int syslog_facility_code = 0; // LOG_MAIL etc.; set by the parser
    LogLevel log_level = LogLevel::info;
    std::chrono::seconds eom_deadline{60};
    std::size_t pool_size = 4;
    // MaxInFlightBytes: buffered and decompressed bytes of every message in
    // flight together; past it a message gets 451 4.3.2. Reloadable.
    std::size_t max_in_flight_bytes = std::size_t{512} << 20;
    std::chrono::seconds registry_refresh{30};
    std::optional<unsigned> umask;
    // TrustedAuthservIDs: the authserv-ids whose Authentication-Results
    // fields count for report authenticity; empty (the default): the
    // feature is off, every report `unknown`. Reloadable.
    std::vector<std::string> trusted_authserv_ids;
    // RequireAuthenticReports: quarantine (reason unauthenticated) a report
    // that is neither dmarc-pass nor dkim-aligned. Reloadable.
    bool require_authentic_reports = false;
    // MetricsSocket: the /metrics listener; none (off) by default.
    std::optional<MetricsSocket> metrics_socket;

    // True when `domain`, in normalize_domain's form, is exactly one of
    // ReportDomains (kept in that form).
    bool is_report_domain(std::string_view domain) const;
};

using ConfigPtr = std::shared_ptr<const Config>;

// Parses `text` as the contents of `file`. Throws rua::ConfigError whose
// what() is every problem found, one `file:line: message` per line.
ConfigPtr parse_config(std::string_view text, const std::string& file);

// Reads and parses `path`. Throws rua::ConfigError (also when the file
// cannot be read: `path: cannot read: <reason>`).
ConfigPtr load_config(const std::string& path);

const char* to_string(LogLevel level);

} // namespace rua::milter
