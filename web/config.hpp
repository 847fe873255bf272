// rua-web's configuration: `Key value` lines as in rua-milter.conf, parsed,
// validated, then frozen. Must never hand out a half-validated Config: every
// error is collected and reported as `file:line: ...`, and nothing returned.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace rua::web {

enum class LogLevel { error, warning, info, debug };

struct Config {
    std::string file;                      // where it was read from (for messages)
    std::string listen_host = "127.0.0.1"; // Listen: a numeric address
    int listen_port = 8894;
    std::string database_uri;
    std::optional<std::string> user;  // UserID: user part
    std::optional<std::string> group; // UserID: group part, when given
    bool cookie_secure = true;
    std::chrono::seconds session_lifetime{12 * 3600};
    std::int64_t max_page_size = 500;
    std::int64_t metrics_max_domains = 1000;
    std::size_t pool_size = 4;
    std::size_t threads = 8;
    std::chrono::seconds query_timeout{30};
    std::string static_dir = "/usr/share/rua-milter/web";
    std::string chart_js = "/usr/share/javascript/chart.js/chart.min.js";
    int syslog_facility_code = 0; // LOG_MAIL by default; set by the parser
    LogLevel log_level = LogLevel::info;
};

using ConfigPtr = std::shared_ptr<const Config>;

// Parses `text` as the contents of `file`. Throws rua::ConfigError whose
// what() is every problem found, one `file:line: message` per line.
ConfigPtr parse_config(std::string_view text, const std::string& file);

// Reads and parses `path`. Throws rua::ConfigError (also when the file
// cannot be read: `path: cannot read: <reason>`).
ConfigPtr load_config(const std::string& path);

} // namespace rua::web
