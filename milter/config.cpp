// Reads /etc/rua-milter.conf: one `Key value` per line, keys case-insensitive,
// `#` comment lines. Table-driven: each key has one setter that validates its
// value. Must never return a Config with an error in it, nor stop at the
// first error: the admin sees every problem at once, one line each.
#include "config.hpp"

#include "config_values.hpp"

#include <rua/address.hpp>
#include <rua/errors.hpp>

#include <fmt/format.h>

#include <functional>

namespace rua::milter {

namespace {

using Setter = std::function<void(Config&, std::string_view)>;

constexpr std::uint64_t k_kib = 1024;
constexpr std::uint64_t k_gib = std::uint64_t{1024} * 1024 * 1024;

Setter size_key(std::size_t Limits::*field, std::uint64_t min, std::uint64_t max) {
    return [field, min, max](Config& c, std::string_view v) {
        c.limits.*field = static_cast<std::size_t>(parse_size(v, min, max));
    };
}

Setter number_key(std::size_t Limits::*field, std::uint64_t min, std::uint64_t max) {
    return [field, min, max](Config& c, std::string_view v) {
        c.limits.*field = static_cast<std::size_t>(parse_number(v, min, max));
    };
}

void set_user(Config& c, std::string_view v) {
    auto colon = v.find(':');
    auto user = v.substr(0, colon);
    if (user.empty() || (colon != std::string_view::npos && colon + 1 == v.size())) {
        throw ValueError(fmt::format("\"{}\" is not user or user:group", v));
    }
    c.user = std::string(user);
    if (colon != std::string_view::npos) {
        c.group = std::string(v.substr(colon + 1));
    }
}

void set_after_ingest(Config& c, std::string_view v) {
    auto word = to_lower(v);
    if (word == "remove") {
        c.after_ingest = AfterIngest::remove;
    } else if (word == "deliver") {
        c.after_ingest = AfterIngest::deliver;
    } else {
        throw ValueError(fmt::format("\"{}\" is not remove or deliver", v));
    }
}

void set_on_bad_report(Config& c, std::string_view v) {
    auto word = to_lower(v);
    if (word == "quarantine") {
        c.on_bad_report = OnBadReport::quarantine;
    } else if (word == "reject") {
        c.on_bad_report = OnBadReport::reject;
    } else {
        throw ValueError(fmt::format("\"{}\" is not quarantine or reject", v));
    }
}

void set_failure_privacy(Config& c, std::string_view v) {
    auto word = to_lower(v);
    for (auto privacy : {Privacy::redacted, Privacy::headers, Privacy::full}) {
        if (word == rua::to_string(privacy)) {
            c.failure_privacy = privacy;
            return;
        }
    }
    throw ValueError(fmt::format("\"{}\" is not redacted, headers or full", v));
}

void set_log_level(Config& c, std::string_view v) {
    auto word = to_lower(v);
    for (auto level : {LogLevel::error, LogLevel::warning, LogLevel::info, LogLevel::debug}) {
        if (word == to_string(level)) {
            c.log_level = level;
            return;
        }
    }
    throw ValueError(fmt::format("\"{}\" is not error, warning, info or debug", v));
}

void set_pid_file(Config& c, std::string_view v) {
    if (v.front() != '/') {
        throw ValueError(fmt::format("\"{}\" is not an absolute path", v));
    }
    c.pid_file = std::string(v);
}

// Lower-case name -> key. Built once; read-only afterwards.
const ConfigKeys<Config>& keys() {
    static const ConfigKeys<Config> k_keys = config_keys<Config>({
        {"Socket", [](Config& c, std::string_view v) { c.socket = parse_socket(v); }},
        {"DatabaseURI",
         [](Config& c, std::string_view v) { c.database_uri = parse_database_uri(v); }},
        {"ReportDomains",
         [](Config& c, std::string_view v) { c.report_domains = parse_domains(v); }},
        {"AfterIngest", set_after_ingest},
        {"OnBadReport", set_on_bad_report},
        {"MaxMessageSize", size_key(&Limits::max_message_bytes, k_kib, 4 * k_gib)},
        {"MaxDecompressedSize", size_key(&Limits::max_decompressed_bytes, k_kib, 16 * k_gib)},
        {"MaxCompressionRatio", number_key(&Limits::max_ratio, 1, 100000)},
        {"MaxZipMembers", number_key(&Limits::max_zip_members, 1, 10000)},
        {"MaxMimeDepth", number_key(&Limits::max_mime_depth, 1, 32)},
        {"MaxParts", number_key(&Limits::max_parts, 1, 10000)},
        {"MaxXmlDepth", number_key(&Limits::max_xml_depth, 4, 1024)},
        {"MaxRecords", number_key(&Limits::max_records, 1, 100000000)},
        {"MaxCount",
         [](Config& c, std::string_view v) {
             c.limits.max_count = parse_number(v, 1, std::uint64_t{1} << 62);
         }},
        {"MaxJsonDepth", number_key(&Limits::max_json_depth, 4, 1024)},
        {"MaxPolicies", number_key(&Limits::max_policies, 1, 1000000)},
        {"MaxFailureDetails", number_key(&Limits::max_failure_details, 1, 100000000)},
        {"MaxOriginalBodySize", size_key(&Limits::max_original_body_bytes, 0, k_gib)},
        {"MaxInFlightBytes",
         [](Config& c, std::string_view v) {
             c.max_in_flight_bytes =
                 static_cast<std::size_t>(parse_size(v, k_kib * k_kib, 1024 * k_gib));
         }},
        {"FailureReportPrivacy", set_failure_privacy},
        {"UserID", set_user},
        {"PidFile", set_pid_file},
        {"SyslogFacility",
         [](Config& c, std::string_view v) {
             c.syslog_facility_code = parse_facility(v);
             c.syslog_facility = to_lower(v);
         }},
        {"LogLevel", set_log_level},
        {"EomDeadline",
         [](Config& c, std::string_view v) {
             c.eom_deadline = std::chrono::seconds(parse_number(v, 1, 3600));
         }},
        {"PoolSize",
         [](Config& c, std::string_view v) {
             c.pool_size = static_cast<std::size_t>(parse_number(v, 1, 256));
         }},
        {"RegistryRefresh",
         [](Config& c, std::string_view v) {
             c.registry_refresh = std::chrono::seconds(parse_number(v, 1, 86400));
         }},
        {"Umask", [](Config& c, std::string_view v) { c.umask = parse_umask(v); }},
        {"MetricsSocket",
         [](Config& c, std::string_view v) { c.metrics_socket = parse_metrics_socket(v); }},
        {"TrustedAuthservIDs",
         [](Config& c, std::string_view v) { c.trusted_authserv_ids = parse_authserv_ids(v); }},
        {"RequireAuthenticReports",
         [](Config& c, std::string_view v) { c.require_authentic_reports = parse_bool(v); }},
    });
    return k_keys;
}

} // namespace

const char* to_string(LogLevel level) {
    switch (level) {
    case LogLevel::error:
        return "error";
    case LogLevel::warning:
        return "warning";
    case LogLevel::info:
        return "info";
    case LogLevel::debug:
        return "debug";
    }
    return "info";
}

bool Config::is_report_domain(std::string_view domain) const {
    const auto normal = normalize_domain(domain);
    if (!normal) {
        return false;
    }
    for (const auto& own : report_domains) {
        if (own == *normal) {
            return true;
        }
    }
    return false;
}

ConfigPtr parse_config(std::string_view text, const std::string& file) {
    auto config = std::make_shared<Config>();
    config->file = file;
    config->syslog_facility_code = parse_facility(config->syslog_facility);
    std::vector<std::string> errors;
    const ConfigSeen seen = read_config(text, file, keys(), *config, errors);
    if (config->database_uri.empty() && seen.count("databaseuri") == 0) {
        errors.push_back(fmt::format("{}: DatabaseURI is required", file));
    }
    // Without a trusted authserv-id every report is `unknown`: requiring
    // authentic reports would quarantine them all.
    if (config->require_authentic_reports && config->trusted_authserv_ids.empty()) {
        errors.push_back(fmt::format("{}:{}: RequireAuthenticReports: yes needs TrustedAuthservIDs",
                                     file, seen.at("requireauthenticreports")));
    }
    throw_config_errors(errors);
    return config;
}

ConfigPtr load_config(const std::string& path) {
    return parse_config(read_config_file(path), path);
}

} // namespace rua::milter
