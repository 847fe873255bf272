// Reads /etc/rua-web.conf: one `Key value` per line, keys case-insensitive,
// `#` comment lines; one setter per key validates its value (the single-value
// parsers are rua-milter's, milter/config_values.cpp). Must never return a
// Config with an error in it, nor stop at the first error.
#include "config.hpp"

#include "config_values.hpp"

#include <rua/errors.hpp>
#include <rua/model.hpp>

#include <fmt/format.h>

#include <syslog.h>

#include <functional>
#include <map>
#include <vector>

namespace rua::web {

namespace {

using milter::parse_number;
using milter::to_lower;
using milter::ValueError;

// "127.0.0.1:8894", "[::1]:8894": a numeric address (never a name to
// resolve: what is served is exactly what is written) and a port.
void set_listen(Config& c, std::string_view v) {
    const auto bad = [&v]() {
        return ValueError(
            fmt::format("\"{}\" is not ADDRESS:PORT (127.0.0.1:8894, [::1]:8894)", v));
    };
    const auto colon = v.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw bad();
    }
    auto host = v.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') {
            throw bad();
        }
        host = host.substr(1, host.size() - 2);
    }
    const auto address = IpAddress::parse(host);
    if (!address || address->text() != host) {
        throw ValueError(fmt::format("\"{}\": {} is not a numeric IP address", v, host));
    }
    c.listen_host = std::string(host);
    c.listen_port = static_cast<int>(parse_number(v.substr(colon + 1), 1, 65535));
}

void set_user(Config& c, std::string_view v) {
    const auto colon = v.find(':');
    const auto user = v.substr(0, colon);
    if (user.empty() || (colon != std::string_view::npos && colon + 1 == v.size())) {
        throw ValueError(fmt::format("\"{}\" is not user or user:group", v));
    }
    c.user = std::string(user);
    if (colon != std::string_view::npos) {
        c.group = std::string(v.substr(colon + 1));
    }
}

bool parse_bool(std::string_view v) {
    const auto word = to_lower(v);
    if (word == "yes" || word == "true" || word == "on") {
        return true;
    }
    if (word == "no" || word == "false" || word == "off") {
        return false;
    }
    throw ValueError(fmt::format("\"{}\" is not yes or no", v));
}

// "90", "90s", "15m", "12h", "7d" -> seconds, within min..max seconds.
std::chrono::seconds parse_duration(std::string_view v, std::uint64_t min, std::uint64_t max) {
    std::uint64_t unit = 1;
    auto digits = v;
    switch (v.empty() ? '\0' : v.back()) {
    case 's':
        digits.remove_suffix(1);
        break;
    case 'm':
        unit = 60;
        digits.remove_suffix(1);
        break;
    case 'h':
        unit = 3600;
        digits.remove_suffix(1);
        break;
    case 'd':
        unit = 86400;
        digits.remove_suffix(1);
        break;
    default:
        break;
    }
    std::uint64_t number = 0;
    try {
        number = parse_number(digits, 0, max);
    } catch (const ValueError&) {
        throw ValueError(
            fmt::format("{} is not a duration in {}..{} seconds (90s, 15m, 12h, 7d)", v, min, max));
    }
    const auto seconds = number * unit;
    if (seconds < min || seconds > max) {
        throw ValueError(fmt::format("{} is out of range ({}s..{}s)", v, min, max));
    }
    return std::chrono::seconds(seconds);
}

void set_absolute(std::string& field, std::string_view v) {
    if (v.front() != '/') {
        throw ValueError(fmt::format("\"{}\" is not an absolute path", v));
    }
    field = std::string(v);
}

void set_log_level(Config& c, std::string_view v) {
    const auto word = to_lower(v);
    const std::map<std::string, LogLevel> levels{{"error", LogLevel::error},
                                                 {"warning", LogLevel::warning},
                                                 {"info", LogLevel::info},
                                                 {"debug", LogLevel::debug}};
    const auto it = levels.find(word);
    if (it == levels.end()) {
        throw ValueError(fmt::format("\"{}\" is not error, warning, info or debug", v));
    }
    c.log_level = it->second;
}

constexpr std::uint64_t k_day = 86400;

// Lower-case name -> key. Built once; read-only.
const milter::ConfigKeys<Config>& keys() {
    static const milter::ConfigKeys<Config> k_keys = milter::config_keys<Config>({
        {"Listen", set_listen},
        {"DatabaseURI",
         [](Config& c, std::string_view v) { c.database_uri = milter::parse_database_uri(v); }},
        {"UserID", set_user},
        {"CookieSecure", [](Config& c, std::string_view v) { c.cookie_secure = parse_bool(v); }},
        {"SessionLifetime",
         [](Config& c, std::string_view v) {
             c.session_lifetime = parse_duration(v, 60, 30 * k_day);
         }},
        {"MaxPageSize",
         [](Config& c, std::string_view v) {
             c.max_page_size = static_cast<std::int64_t>(parse_number(v, 10, 10000));
         }},
        {"MetricsMaxDomains",
         [](Config& c, std::string_view v) {
             c.metrics_max_domains = static_cast<std::int64_t>(parse_number(v, 1, 100000));
         }},
        {"PoolSize",
         [](Config& c, std::string_view v) {
             c.pool_size = static_cast<std::size_t>(parse_number(v, 1, 64));
         }},
        {"Threads",
         [](Config& c, std::string_view v) {
             c.threads = static_cast<std::size_t>(parse_number(v, 1, 256));
         }},
        {"QueryTimeout",
         [](Config& c, std::string_view v) { c.query_timeout = parse_duration(v, 1, 3600); }},
        {"StaticDir", [](Config& c, std::string_view v) { set_absolute(c.static_dir, v); }},
        {"ChartJs", [](Config& c, std::string_view v) { set_absolute(c.chart_js, v); }},
        {"SyslogFacility",
         [](Config& c, std::string_view v) { c.syslog_facility_code = milter::parse_facility(v); }},
        {"LogLevel", set_log_level},
    });
    return k_keys;
}

} // namespace

ConfigPtr parse_config(std::string_view text, const std::string& file) {
    auto config = std::make_shared<Config>();
    config->file = file;
    config->syslog_facility_code = LOG_MAIL;
    std::vector<std::string> errors;
    const milter::ConfigSeen seen = milter::read_config(text, file, keys(), *config, errors);
    if (seen.count("databaseuri") == 0) {
        errors.push_back(fmt::format("{}: DatabaseURI is required", file));
    }
    milter::throw_config_errors(errors);
    return config;
}

ConfigPtr load_config(const std::string& path) {
    return parse_config(milter::read_config_file(path), path);
}

} // namespace rua::web
