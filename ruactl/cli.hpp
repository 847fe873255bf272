// ruactl's command-line plumbing: the option parser every command uses, the
// usage error (exit 2), durations and counts, and how a command finds its
// database. Knows nothing about what the commands do; never touches I/O
// beyond reading the environment.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ruactl {

// Exit statuses shared by every command (documented in every --help page
// and in ruactl(1)); the last two are <sysexits.h>'s.
constexpr int k_exit_ok = 0;
constexpr int k_exit_failure = 1;
constexpr int k_exit_usage = 2;
constexpr int k_exit_tempfail = 75; // EX_TEMPFAIL: the database is unreachable now
constexpr int k_exit_config = 78;   // EX_CONFIG: the database setup cannot work

// A wrong command line: printed as one line plus a hint, exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name; // "--database"
    bool takes_value = false;
    bool repeatable = false;
};

// Options that every command accepts (before or after the command words).
const std::vector<OptionSpec>& global_options();

// The parsed command line of one command. Options may come in any order
// among the operands; "--opt=value" and "--opt value" both work; "--" ends
// the options; "-" alone is an operand (standard input).
class Args {
public:
    // Throws UsageError for an unknown option, a missing value, or a value
    // given to a flag. `command` names the command in messages ("rua add").
    Args(std::string command, const std::vector<std::string>& argv,
         const std::vector<OptionSpec>& options);

    const std::string& command() const { return m_command; }
    bool has(std::string_view option) const;
    std::optional<std::string> value(std::string_view option) const; // the last one given
    std::vector<std::string> values(std::string_view option) const;
    const std::vector<std::string>& operands() const { return m_operands; }

    // Throws UsageError unless the operand count is within [min, max].
    void expect_operands(std::size_t min, std::size_t max, std::string_view what) const;

private:
    std::string m_command;
    std::map<std::string, std::vector<std::string>, std::less<>> m_options;
    std::vector<std::string> m_operands;
};

// "30d", "12h", "2w", "45m", "90s" -> seconds. Throws UsageError naming
// `option`.
std::int64_t parse_duration(std::string_view option, std::string_view text);

// A positive decimal count within [1, max]. Throws UsageError naming `option`.
std::uint64_t parse_count(std::string_view option, std::string_view text, std::uint64_t max);

// The libpq connection string: --database, else $RUA_DATABASE_URL, else ""
// (libpq then reads the PG* variables).
std::string database_url(const Args& args);

// "2024-05-01 00:00:00Z" for UTC seconds.
std::string format_time(std::int64_t seconds);

} // namespace ruactl
