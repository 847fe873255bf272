// The command line of rua-milter: -c -n -N -f -t -r -V -h, and the help text.
// Parsing only; it must never read the config file or touch the system.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace rua::milter {

constexpr const char* k_default_config = "/etc/rua-milter.conf";

struct Options {
    std::string config = k_default_config;
    bool check_only = false;              // -n
    bool check_database = true;           // -n without -N: also the database
    bool foreground = false;              // -f
    std::optional<std::string> test_file; // -t FILE
    std::optional<std::string> test_rcpt; // -r RCPT (with -t)
    bool version = false;                 // -V
    bool help = false;                    // -h
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws UsageError with a one-line message.
Options parse_options(int argc, char** argv);

// The -h text: a short manual (NAME ... SEE ALSO).
const char* help_text();

} // namespace rua::milter
