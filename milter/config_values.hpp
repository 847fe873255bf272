// Parsers for single config values (sizes with k/M/G suffixes, bounded
// numbers, milter socket specs, domain lists, syslog facilities). Each
// returns a value or throws ValueError with the message that follows
// `file:line: Key: `; they never read files and never know key names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rua::milter {

class ValueError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "64M" -> 67108864; suffixes k, M, G (powers of 1024, either case).
// Throws ValueError when not a number, or outside min..max.
std::uint64_t parse_size(std::string_view text, std::uint64_t min, std::uint64_t max);

// A plain decimal number within min..max.
std::uint64_t parse_number(std::string_view text, std::uint64_t min, std::uint64_t max);

// An octal umask, 0..0777.
unsigned parse_umask(std::string_view text);

// Checks a libmilter socket spec: unix:PATH, local:PATH (absolute path),
// inet:PORT@HOST, inet6:PORT@HOST (HOST optional). Returns it unchanged.
std::string parse_socket(std::string_view text);

// MetricsSocket: where the /metrics listener binds.
struct MetricsSocket {
    std::string spec;    // as written, for messages and reload comparison
    bool inet6 = false;  // inet6:PORT@ADDR
    std::string address; // a numeric address; default 127.0.0.1 (inet6: ::1)
    std::uint16_t port = 0;
};

// inet:PORT@ADDR or inet6:PORT@ADDR (ADDR optional: loopback). ADDR must be
// a numeric address or "localhost", never a name to resolve: a non-loopback
// address is served only when written out. Throws ValueError.
MetricsSocket parse_metrics_socket(std::string_view text);

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 (for a warning).
bool is_loopback(const MetricsSocket& where) noexcept;

// The warning for a MetricsSocket that is not loopback, else "".
std::string metrics_exposure_warning(const MetricsSocket& where);

// Checks a libpq connection string (URI or key=value) with libpq's own
// parser; returns it unchanged. The ValueError names libpq's complaint with
// any password in it redacted.
std::string parse_database_uri(std::string_view text);

// "example.net, Example.ORG" -> {"example.net", "example.org"}.
std::vector<std::string> parse_domains(std::string_view text);

// "mx.example.net, \"Relay 2\"" -> {"mx.example.net", "relay 2"}: authserv-ids
// (RFC 8601 tokens, or quoted strings for ids with white space or commas),
// lower-cased, each once.
std::vector<std::string> parse_authserv_ids(std::string_view text);

// yes/no, true/false, on/off, 1/0 (any case).
bool parse_bool(std::string_view text);

// "mail" -> LOG_MAIL; also daemon, user, local0..local7.
int parse_facility(std::string_view text);

std::string to_lower(std::string_view text);

// --- the config file ------------------------------------------------------

// Walks a config file's lines: `Key value` (keys case-insensitive, the value
// trimmed), `#` comment lines and blank lines skipped. `canonical(lower)`
// names a known key as it is documented, or returns nullptr for an unknown
// one; `set(lower, value)` stores a value and may throw ValueError. Every
// problem (unknown key, duplicate key, empty value, a value set() refused)
// goes into `errors` as "FILE:LINE: ..." and the walk goes on. Returns the
// line each key was set on, by lower-case name.
using ConfigSeen = std::map<std::string, std::size_t, std::less<>>;
ConfigSeen read_config_lines(std::string_view text, const std::string& file,
                             const std::function<const char*(const std::string&)>& canonical,
                             const std::function<void(const std::string&, std::string_view)>& set,
                             std::vector<std::string>& errors);

// One key of a daemon's config file: its name as documented (a string
// literal: used in messages) and what stores its value.
template <typename Config> struct ConfigKey {
    std::string_view name;
    std::function<void(Config&, std::string_view)> set;
};
// A daemon's keys by lower-case name.
template <typename Config> using ConfigKeys = std::map<std::string, ConfigKey<Config>, std::less<>>;

template <typename Config> ConfigKeys<Config> config_keys(std::vector<ConfigKey<Config>> list) {
    ConfigKeys<Config> out;
    for (auto& key : list) {
        auto lower = to_lower(key.name);
        out.emplace(std::move(lower), std::move(key));
    }
    return out;
}

// read_config_lines with `keys`, the values stored in `config`.
template <typename Config>
ConfigSeen read_config(std::string_view text, const std::string& file,
                       const ConfigKeys<Config>& keys, Config& config,
                       std::vector<std::string>& errors) {
    return read_config_lines(
        text, file,
        [&keys](const std::string& lower) -> const char* {
            const auto it = keys.find(lower);
            return it == keys.end() ? nullptr : it->second.name.data();
        },
        [&keys, &config](const std::string& lower, std::string_view value) {
            keys.at(lower).set(config, value);
        },
        errors);
}

// Throws ConfigError holding every error, one per line, unless none.
void throw_config_errors(const std::vector<std::string>& errors);

// The text of the config file at `path`; ConfigError("PATH: cannot read:
// WHY") when it cannot be read.
std::string read_config_file(const std::string& path);

} // namespace rua::milter
