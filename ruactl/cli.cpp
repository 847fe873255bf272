// The option parser and small value parsers shared by every ruactl command.
// Errors are UsageError with one line that names the option; never exits
// the process itself (main decides the status).
#include "cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <limits>

namespace ruactl {

const std::vector<OptionSpec>& global_options() {
    static const std::vector<OptionSpec> k_globals = {
        {"--database", true, false},
        {"--sql-dir", true, false},
        {"--help", false, false},
    };
    return k_globals;
}

Args::Args(std::string command, const std::vector<std::string>& argv,
           const std::vector<OptionSpec>& options)
    : m_command(std::move(command)) {
    auto find = [&](std::string_view name) -> const OptionSpec* {
        for (const auto* list : {&options, &global_options()}) {
            for (const auto& spec : *list) {
                if (spec.name == name) {
                    return &spec;
                }
            }
        }
        return nullptr;
    };
    bool options_done = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (options_done || arg == "-" || arg.empty() || arg[0] != '-') {
            m_operands.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        std::string name = arg;
        std::optional<std::string> inline_value;
        if (const auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
            name = arg.substr(0, eq);
            inline_value = arg.substr(eq + 1);
        }
        if (name == "-h") {
            name = "--help";
        }
        const OptionSpec* spec = find(name);
        if (spec == nullptr) {
            throw UsageError(fmt::format("{}: unknown option '{}'", m_command, name));
        }
        auto& slot = m_options[spec->name];
        if (!spec->takes_value) {
            if (inline_value) {
                throw UsageError(
                    fmt::format("{}: option '{}' takes no value", m_command, spec->name));
            }
            slot.emplace_back();
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= argv.size()) {
                throw UsageError(
                    fmt::format("{}: option '{}' needs a value", m_command, spec->name));
            }
            inline_value = argv[++i];
        }
        if (!spec->repeatable) {
            slot.clear();
        }
        slot.push_back(*inline_value);
    }
}

bool Args::has(std::string_view option) const {
    return m_options.find(option) != m_options.end();
}

std::optional<std::string> Args::value(std::string_view option) const {
    const auto it = m_options.find(option);
    if (it == m_options.end() || it->second.empty()) {
        return std::nullopt;
    }
    return it->second.back();
}

std::vector<std::string> Args::values(std::string_view option) const {
    const auto it = m_options.find(option);
    return it == m_options.end() ? std::vector<std::string>{} : it->second;
}

void Args::expect_operands(std::size_t min, std::size_t max, std::string_view what) const {
    if (m_operands.size() < min) {
        throw UsageError(fmt::format("{}: missing {}", m_command, what));
    }
    if (m_operands.size() > max) {
        throw UsageError(fmt::format("{}: unexpected argument '{}'", m_command, m_operands[max]));
    }
}

std::int64_t parse_duration(std::string_view option, std::string_view text) {
    const auto bad = [&]() {
        return UsageError(fmt::format(
            "{}: invalid duration '{}' (expected a number and s, m, h, d or w, e.g. 30d)", option,
            text));
    };
    if (text.size() < 2) {
        throw bad();
    }
    std::int64_t unit = 0;
    switch (text.back()) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    case 'w':
        unit = std::int64_t{7} * 86400;
        break;
    default:
        throw bad();
    }
    const auto digits = text.substr(0, text.size() - 1);
    std::int64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') {
            throw bad();
        }
        value = value * 10 + (c - '0');
        if (value > 100'000'000) { // over a century of seconds at any unit: a typo
            throw bad();
        }
    }
    return value * unit;
}

std::uint64_t parse_count(std::string_view option, std::string_view text, std::uint64_t max) {
    std::uint64_t value = 0;
    bool ok = !text.empty() && text.size() <= 19;
    for (char c : text) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) {
            value = value * 10 + static_cast<std::uint64_t>(c - '0');
        }
    }
    if (!ok || value == 0 || value > max) {
        throw UsageError(fmt::format("{}: invalid value '{}' (expected a number from 1 to {})",
                                     option, text, max));
    }
    return value;
}

std::string database_url(const Args& args) {
    if (auto url = args.value("--database")) {
        return *url;
    }
    // getenv is not thread-safe against setenv; ruactl reads it before it
    // starts any thread and never sets the environment.
    const char* env = std::getenv("RUA_DATABASE_URL"); // NOLINT(concurrency-mt-unsafe)
    return env == nullptr ? std::string() : std::string(env);
}

std::string format_time(std::int64_t seconds) {
    const auto t = static_cast<time_t>(seconds);
    struct tm tm {};
    if (gmtime_r(&t, &tm) == nullptr) {
        return std::to_string(seconds);
    }
    char buf[32];
    (void)strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

} // namespace ruactl
