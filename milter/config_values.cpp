// Parsers for single config values: sizes, bounded numbers, umask, socket
// specs, domain lists, syslog facilities. Pure functions of their text;
// they must never accept a value silently clamped or truncated.
#include "config_values.hpp"

#include <rua/address.hpp>
#include <rua/errors.hpp>
#include <rua/redact.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <syslog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>

namespace rua::milter {

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Decimal digits to a number; nullopt-like false on overflow.
bool to_u64(std::string_view digits, std::uint64_t& out) {
    std::uint64_t value = 0;
    for (char c : digits) {
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return false;
        }
        value = value * 10 + digit;
    }
    out = value;
    return true;
}

[[noreturn]] void out_of_range(std::string_view text, std::uint64_t min, std::uint64_t max) {
    throw ValueError(fmt::format("{} is out of range ({}..{})", text, min, max));
}

} // namespace

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::uint64_t parse_number(std::string_view text, std::uint64_t min, std::uint64_t max) {
    std::uint64_t value = 0;
    if (!all_digits(text)) {
        throw ValueError(fmt::format("{} is not a number", text));
    }
    if (!to_u64(text, value) || value < min || value > max) {
        out_of_range(text, min, max);
    }
    return value;
}

std::uint64_t parse_size(std::string_view text, std::uint64_t min, std::uint64_t max) {
    std::string_view digits = text;
    std::uint64_t unit = 1;
    if (!digits.empty()) {
        switch (digits.back()) {
        case 'k':
        case 'K':
            unit = 1024;
            break;
        case 'm':
        case 'M':
            unit = std::uint64_t{1024} * 1024;
            break;
        case 'g':
        case 'G':
            unit = std::uint64_t{1024} * 1024 * 1024;
            break;
        default:
            break;
        }
        if (unit != 1) {
            digits.remove_suffix(1);
        }
    }
    std::uint64_t value = 0;
    if (!all_digits(digits)) {
        throw ValueError(
            fmt::format("{} is not a size (a number with an optional k, M or G suffix)", text));
    }
    if (!to_u64(digits, value) || value > std::numeric_limits<std::uint64_t>::max() / unit) {
        out_of_range(text, min, max);
    }
    value *= unit;
    if (value < min || value > max) {
        out_of_range(text, min, max);
    }
    return value;
}

unsigned parse_umask(std::string_view text) {
    if (text.empty() || text.size() > 4 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        throw ValueError(fmt::format("{} is not an octal umask (0..0777)", text));
    }
    unsigned value = 0;
    for (char c : text) {
        value = value * 8 + static_cast<unsigned>(c - '0');
    }
    if (value > 0777) {
        throw ValueError(fmt::format("{} is not an octal umask (0..0777)", text));
    }
    return value;
}

std::string parse_socket(std::string_view text) {
    const auto bad = [&text]() {
        return ValueError(fmt::format(
            "\"{}\" is not unix:PATH, local:PATH, inet:PORT@HOST or inet6:PORT@HOST", text));
    };
    auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        throw bad();
    }
    auto scheme = to_lower(text.substr(0, colon));
    auto rest = text.substr(colon + 1);
    if (scheme == "unix" || scheme == "local") {
        if (rest.size() < 2 || rest.front() != '/') {
            throw ValueError(fmt::format("\"{}\": the socket path must be absolute", text));
        }
        return std::string(text);
    }
    if (scheme != "inet" && scheme != "inet6") {
        throw bad();
    }
    auto at = rest.find('@');
    auto port = rest.substr(0, at);
    if (!all_digits(port)) {
        throw bad();
    }
    std::uint64_t number = 0;
    if (!to_u64(port, number) || number < 1 || number > 65535) {
        throw ValueError(fmt::format("\"{}\": port {} is out of range (1..65535)", text, port));
    }
    if (at != std::string_view::npos && at + 1 == rest.size()) {
        throw bad();
    }
    return std::string(text);
}

MetricsSocket parse_metrics_socket(std::string_view text) {
    const auto bad = [&text]() {
        return ValueError(
            fmt::format("\"{}\" is not inet:PORT@ADDRESS or inet6:PORT@ADDRESS", text));
    };
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        throw bad();
    }
    MetricsSocket out;
    out.spec = std::string(text);
    const auto scheme = to_lower(text.substr(0, colon));
    if (scheme == "inet6") {
        out.inet6 = true;
    } else if (scheme != "inet") {
        throw bad();
    }
    const auto rest = text.substr(colon + 1);
    const auto at = rest.find('@');
    const auto port = rest.substr(0, at);
    std::uint64_t number = 0;
    if (!all_digits(port)) {
        throw ValueError(fmt::format(R"("{}": port "{}" is not a number)", text, port));
    }
    if (!to_u64(port, number) || number < 1 || number > 65535) {
        throw ValueError(fmt::format("\"{}\": port {} is out of range (1..65535)", text, port));
    }
    out.port = static_cast<std::uint16_t>(number);
    std::string address =
        at == std::string_view::npos ? std::string() : std::string(rest.substr(at + 1));
    if (out.inet6 && address.size() > 2 && address.front() == '[' && address.back() == ']') {
        address = address.substr(1, address.size() - 2);
    }
    if (address.empty() || to_lower(address) == "localhost") {
        address = out.inet6 ? "::1" : "127.0.0.1";
    }
    std::array<unsigned char, sizeof(in6_addr)> binary{};
    if (inet_pton(out.inet6 ? AF_INET6 : AF_INET, address.c_str(), binary.data()) != 1) {
        throw ValueError(fmt::format("\"{}\": \"{}\" is not a numeric {} address (host names "
                                     "are not resolved: write the address)",
                                     text, address, out.inet6 ? "IPv6" : "IPv4"));
    }
    out.address = std::move(address);
    return out;
}

bool is_loopback(const MetricsSocket& where) noexcept {
    if (!where.inet6) {
        in_addr four{};
        return inet_pton(AF_INET, where.address.c_str(), &four) == 1 &&
               (ntohl(four.s_addr) >> 24) == 127;
    }
    in6_addr six{};
    if (inet_pton(AF_INET6, where.address.c_str(), &six) != 1) {
        return false;
    }
    return IN6_IS_ADDR_LOOPBACK(&six) || (IN6_IS_ADDR_V4MAPPED(&six) && six.s6_addr[12] == 127);
}

std::string metrics_exposure_warning(const MetricsSocket& where) {
    if (is_loopback(where)) {
        return {};
    }
    return fmt::format("MetricsSocket: {} is not a loopback address: /metrics, which has no "
                       "authentication, is open to every host that can reach it",
                       where.address);
}

std::string parse_database_uri(std::string_view text) {
    std::string conninfo(text);
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options != nullptr) {
        PQconninfoFree(options);
        return conninfo;
    }
    std::string reason = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) {
        reason.pop_back();
    }
    throw ValueError(
        fmt::format("not a valid libpq connection string: {}", rua::redact_credentials(reason)));
}

std::vector<std::string> parse_domains(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        auto start = text.find_first_not_of(", \t", i);
        if (start == std::string_view::npos) {
            break;
        }
        auto end = text.find_first_of(", \t", start);
        auto word = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
        // The one normal form (rua/address.hpp): RCPT domains are compared in it.
        auto domain = normalize_domain(word);
        if (!domain) {
            throw ValueError(fmt::format("\"{}\" is not a domain name", word));
        }
        if (std::find(out.begin(), out.end(), *domain) == out.end()) {
            out.push_back(std::move(*domain));
        }
        i = end == std::string_view::npos ? text.size() : end;
    }
    if (out.empty()) {
        throw ValueError("no domain given");
    }
    return out;
}

std::vector<std::string> parse_authserv_ids(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ',' || c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        std::string id;
        if (c == '"') {
            const auto close = text.find('"', i + 1);
            if (close == std::string_view::npos) {
                throw ValueError("unterminated quoted authserv-id");
            }
            id = to_lower(text.substr(i + 1, close - i - 1));
            i = close + 1;
        } else {
            const auto end = text.find_first_of(", \t", i);
            id = to_lower(text.substr(i, end == std::string_view::npos ? text.npos : end - i));
            i = end == std::string_view::npos ? text.size() : end;
        }
        for (char ch : id) {
            const auto byte = static_cast<unsigned char>(ch);
            if (byte < 0x20 || byte == 0x7f || ch == ';' || ch == '(' || ch == ')' || ch == '"') {
                throw ValueError(fmt::format("\"{}\" is not an authserv-id", id));
            }
        }
        if (id.empty()) {
            throw ValueError("an empty authserv-id");
        }
        if (std::find(out.begin(), out.end(), id) == out.end()) {
            out.push_back(std::move(id));
        }
    }
    if (out.empty()) {
        throw ValueError("no authserv-id given");
    }
    return out;
}

bool parse_bool(std::string_view text) {
    const std::string word = to_lower(text);
    if (word == "yes" || word == "true" || word == "on" || word == "1") {
        return true;
    }
    if (word == "no" || word == "false" || word == "off" || word == "0") {
        return false;
    }
    throw ValueError(fmt::format("\"{}\" is not yes or no", text));
}

int parse_facility(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, int>, 11> k_facilities{{
        {"mail", LOG_MAIL},
        {"daemon", LOG_DAEMON},
        {"user", LOG_USER},
        {"local0", LOG_LOCAL0},
        {"local1", LOG_LOCAL1},
        {"local2", LOG_LOCAL2},
        {"local3", LOG_LOCAL3},
        {"local4", LOG_LOCAL4},
        {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6},
        {"local7", LOG_LOCAL7},
    }};
    auto wanted = to_lower(text);
    for (const auto& [name, code] : k_facilities) {
        if (wanted == name) {
            return code;
        }
    }
    throw ValueError(
        fmt::format("\"{}\" is not a syslog facility (mail, daemon, user, local0..local7)", text));
}

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

ConfigSeen read_config_lines(std::string_view text, const std::string& file,
                             const std::function<const char*(const std::string&)>& canonical,
                             const std::function<void(const std::string&, std::string_view)>& set,
                             std::vector<std::string>& errors) {
    ConfigSeen seen;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto newline = text.find('\n');
        const auto line = trim_blanks(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        std::size_t split = 0;
        while (split < line.size() && !is_blank(line[split])) {
            ++split;
        }
        const auto name = line.substr(0, split);
        const auto value = trim_blanks(line.substr(split));
        const auto lower = to_lower(name);
        const char* key = canonical(lower);
        if (key == nullptr) {
            errors.push_back(fmt::format("{}:{}: unknown key \"{}\"", file, line_no, name));
            continue;
        }
        if (const auto first = seen.find(lower); first != seen.end()) {
            errors.push_back(fmt::format("{}:{}: {}: duplicate key (first set on line {})", file,
                                         line_no, key, first->second));
            continue;
        }
        seen.emplace(lower, line_no);
        if (value.empty()) {
            errors.push_back(
                fmt::format("{}:{}: {}: the value may not be empty", file, line_no, key));
            continue;
        }
        try {
            set(lower, value);
        } catch (const ValueError& e) {
            errors.push_back(fmt::format("{}:{}: {}: {}", file, line_no, key, e.what()));
        }
    }
    return seen;
}

void throw_config_errors(const std::vector<std::string>& errors) {
    if (errors.empty()) {
        return;
    }
    std::string all;
    for (const auto& error : errors) {
        all += all.empty() ? "" : "\n";
        all += error;
    }
    throw ConfigError(all);
}

std::string read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(
            fmt::format("{}: cannot read: {}", path, std::generic_category().message(errno)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw ConfigError(
            fmt::format("{}: cannot read: {}", path, std::generic_category().message(errno)));
    }
    return text.str();
}

} // namespace rua::milter
