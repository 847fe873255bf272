// Start-up in a fixed order: signals blocked before any thread, syslog
// opened and the port bound while root, fork (without -f), setgid/
// initgroups/setuid (milter/privileges.cpp), then the request threads. A
// signal thread turns SIGTERM, SIGINT and SIGHUP into a clean stop. Must
// never leave a half-started daemon running after a start-up error.
#include "daemon.hpp"

#include "log.hpp"
#include "privileges.hpp"
#include "routes.hpp"

#include <rua/errors.hpp>
#include <rua/migrate.hpp>
#include <rua/query.hpp>
#include <rua/redact.hpp>
#include <rua/store.hpp>

#include <httplib.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <optional>
#include <ostream>
#include <system_error>
#include <thread>

namespace rua::web {

namespace {

constexpr int k_ex_unavailable = 69;
constexpr int k_ex_oserr = 71;
constexpr int k_ex_noperm = 77;
constexpr int k_ex_config = 78;

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

// Detaches from the terminal: the parent exits 0 once the child runs.
void daemonise() {
    const pid_t child = fork();
    if (child < 0) {
        throw Error("fork failed");
    }
    if (child > 0) {
        _exit(0);
    }
    if (setsid() < 0) {
        throw Error("setsid failed");
    }
}

} // namespace

int check_setup(const Config& config, bool as_root, std::ostream& out, std::ostream& err) {
    if (as_root && !config.user) {
        err << config.file << ": refusing to run as root without UserID\n";
        return k_ex_config;
    }
    if (as_root) {
        try {
            static_cast<void>(milter::lookup_identity(*config.user, config.group));
        } catch (const ConfigError& e) {
            err << config.file << ": " << e.what() << '\n';
            return k_ex_config;
        }
    }
    // Every page is a 404 without its files: one line for each that
    // cannot be read.
    bool unreadable = false;
    const auto readable = [&](const char* key, const std::string& path) {
        if (access(path.c_str(), R_OK) != 0) {
            err << config.file << ": " << key << ": " << path
                << ": cannot read: " << std::generic_category().message(errno) << '\n';
            unreadable = true;
        }
    };
    for (const char* name : k_static_files) {
        readable("StaticDir", config.static_dir + "/" + name);
    }
    readable("ChartJs", config.chart_js);
    const auto where = redact_credentials(config.database_uri);
    try {
        check_schema(config.database_uri, default_sql_dir());
    } catch (const TryLater& e) {
        err << config.file << ": DatabaseURI " << where
            << ": cannot connect: " << redact_credentials(e.what()) << '\n';
        return k_ex_unavailable;
    } catch (const std::exception& e) {
        err << config.file << ": DatabaseURI " << where << ": " << redact_credentials(e.what())
            << '\n';
        return k_ex_config;
    }
    if (unreadable) {
        return k_ex_config;
    }
    out << config.file << ": configuration OK (database " << where
        << " reachable, schema current, pages readable)\n";
    return 0;
}

int run_daemon(const Options& options, const ConfigPtr& config) {
    log_open(config->syslog_facility_code, options.foreground, config->log_level);
    const bool root = geteuid() == 0;
    if (root && !config->user) {
        log_at(LogLevel::error, "{}: refusing to run as root without UserID", config->file);
        return k_ex_noperm;
    }
    std::optional<milter::Identity> identity;
    try {
        if (config->user) {
            identity = milter::lookup_identity(*config->user, config->group);
        }
    } catch (const ConfigError& e) {
        log_at(LogLevel::error, "{}: {}", config->file, e.what());
        return k_ex_config;
    }
    // Blocked in every thread from here on; only the signal thread takes them.
    const sigset_t signals = stop_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    httplib::Server server;
    if (!server.bind_to_port(config->listen_host, config->listen_port)) {
        log_at(LogLevel::error, "cannot listen on {}:{}", config->listen_host, config->listen_port);
        return k_ex_oserr;
    }
    try {
        if (!options.foreground) {
            daemonise();
        }
        if (identity && root) {
            milter::drop_privileges(*identity);
        }
    } catch (const std::exception& e) {
        log_at(LogLevel::error, "cannot start: {}", e.what());
        return k_ex_noperm;
    }
    ConnectionPool pool(config->database_uri, config->pool_size);
    query::Queries queries(pool, config->query_timeout.count() * 1000);
    const std::size_t threads = config->threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_read_timeout(10);
    server.set_write_timeout(30);
    install_routes(server, *config, queries);

    std::atomic<bool> signalled{false};
    std::thread stopper([&server, &signalled, signals] {
        int signal = 0;
        sigwait(&signals, &signal);
        if (!signalled.exchange(true)) {
            log_at(LogLevel::info, "signal {}: stopping", signal);
            server.stop();
        }
    });
    log_at(LogLevel::info, "listening on http://{}{}{}:{}/",
           config->listen_host.find(':') == std::string::npos ? "" : "[", config->listen_host,
           config->listen_host.find(':') == std::string::npos ? "" : "]", config->listen_port);
    const bool served = server.listen_after_bind();
    if (!signalled.exchange(true)) {
        // The listener ended on its own: a signal to the process wakes the
        // stopper (every other thread blocks it) so it can be joined.
        kill(getpid(), SIGTERM);
    }
    stopper.join();
    log_at(served ? LogLevel::info : LogLevel::error, "stopped{}",
           served ? "" : ": listener failed");
    return served ? 0 : k_ex_oserr;
}

} // namespace rua::web
