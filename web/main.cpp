// rua-web's main(): parse the command line, load the config, and hand over
// to -n (check) or the daemon. Thin on purpose. Must never start serving on
// a config that did not validate.
#include "daemon.hpp"
#include "options.hpp"

#include <rua/errors.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace {

constexpr int k_ex_usage = 64;
constexpr int k_ex_config = 78;

} // namespace

int main(int argc, char** argv) {
    using namespace rua::web;
    Options options;
    try {
        options = parse_options(argc, argv);
    } catch (const UsageError& e) {
        static_cast<void>(std::fprintf(stderr, "rua-web: %s (try -h)\n", e.what()));
        return k_ex_usage;
    }
    if (options.help) {
        static_cast<void>(std::fputs(help_text(), stdout));
        return 0;
    }
    if (options.version) {
        std::printf("rua-web %s\n", RUA_VERSION);
        return 0;
    }
    ConfigPtr config;
    try {
        config = load_config(options.config);
    } catch (const rua::ConfigError& e) {
        static_cast<void>(std::fprintf(stderr, "%s\n", e.what()));
        return k_ex_config;
    }
    if (options.check_only) {
        return check_setup(*config, geteuid() == 0, std::cout, std::cerr);
    }
    return run_daemon(options, config);
}
