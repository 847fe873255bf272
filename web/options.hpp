// The command line of rua-web: -c -n -f -V -h, and the help text. Parsing
// only; it must never read the config file or touch the system.
#pragma once

#include <stdexcept>
#include <string>

namespace rua::web {

constexpr const char* k_default_config = "/etc/rua-web.conf";

struct Options {
    std::string config = k_default_config;
    bool check_only = false; // -n
    bool foreground = false; // -f
    bool version = false;    // -V
    bool help = false;       // -h
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws UsageError with a one-line message.
Options parse_options(int argc, char** argv);

// The -h text: a short manual (NAME ... SEE ALSO).
const char* help_text();

} // namespace rua::web
