// rua-milter's main(): parse the command line, load the config, and hand
// over to -n (check), -t (test a message) or the daemon. Thin on purpose;
// every decision lives in the library. Must never start the daemon on a
// config that did not validate.
#include "check.hpp"
#include "config.hpp"
#include "daemon.hpp"
#include "log.hpp"
#include "options.hpp"
#include "test_mode.hpp"

#include <rua/errors.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace {

constexpr int k_ex_usage = 64;
constexpr int k_ex_config = 78;

} // namespace

int main(int argc, char** argv) {
    using namespace rua::milter;
    Options options;
    try {
        options = parse_options(argc, argv);
    } catch (const UsageError& e) {
        static_cast<void>(std::fprintf(stderr, "rua-milter: %s (try -h)\n", e.what()));
        return k_ex_usage;
    }
    if (options.help) {
        static_cast<void>(std::fputs(help_text(), stdout));
        return 0;
    }
    if (options.version) {
        std::printf("rua-milter %s\n", RUA_VERSION);
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
        return check_setup(*config, geteuid() == 0, options.check_database, std::cout, std::cerr);
    }
    try {
        if (options.test_file) {
            log_set_level(config->log_level);
            return run_test_mode(config, *options.test_file, options.test_rcpt, std::cout);
        }
        return run_daemon(options, config);
    } catch (const std::exception& e) {
        static_cast<void>(std::fprintf(stderr, "rua-milter: %s\n", e.what()));
        return 71;
    }
}
