// The main thread's signal loop: SIGUSR1 -> parse the config again -> swap;
// a stop signal ends the loop. Restart-only keys are compared and a warning
// logged, never applied half-way. Must never act on a signal in a handler:
// everything runs in the waiting thread, in order.
#include "reload.hpp"

#include "log.hpp"

#include <rua/errors.hpp>

#include <pthread.h>

#include <csignal>
#include <sstream>
#include <system_error>

namespace rua::milter {

namespace {

void warn_restart_only(const Config& old_config, const Config& next) {
    const auto warn = [](const char* key) {
        log_warning("reload: {} changed; it takes effect only after a restart", key);
    };
    if (old_config.socket != next.socket) {
        warn("Socket");
    }
    const auto metrics_spec = [](const Config& c) {
        return c.metrics_socket ? c.metrics_socket->spec : std::string();
    };
    if (metrics_spec(old_config) != metrics_spec(next)) {
        warn("MetricsSocket");
    }
    if (old_config.database_uri != next.database_uri) {
        warn("DatabaseURI");
    }
    if (old_config.pool_size != next.pool_size) {
        warn("PoolSize");
    }
    if (old_config.registry_refresh != next.registry_refresh) {
        warn("RegistryRefresh");
    }
    if (old_config.user != next.user || old_config.group != next.group) {
        warn("UserID");
    }
    if (old_config.pid_file != next.pid_file) {
        warn("PidFile");
    }
    if (old_config.syslog_facility != next.syslog_facility) {
        warn("SyslogFacility");
    }
}

sigset_t daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

} // namespace

void block_daemon_signals() {
    const sigset_t set = daemon_signals();
    if (const int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0) {
        throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
    }
    static_cast<void>(std::signal(SIGPIPE, SIG_IGN));
}

bool reload_config(const std::string& path, ConfigStore& store) noexcept {
    try {
        auto next = load_config(path);
        warn_restart_only(*store.get(), *next);
        log_set_level(next->log_level);
        store.set(std::move(next));
        log_info("configuration reloaded from {}", path);
        return true;
    } catch (const ConfigError& e) {
        std::istringstream lines(e.what());
        std::string line;
        while (std::getline(lines, line)) {
            log_error("reload: {}", line);
        }
    } catch (const std::exception& e) {
        log_error("reload: {}", e.what());
    }
    log_error("reload: keeping the running configuration");
    return false;
}

int wait_for_stop(const std::string& path, ConfigStore& store,
                  const std::atomic<bool>& ended) noexcept {
    const sigset_t set = daemon_signals();
    for (;;) {
        int signal_number = 0;
        if (sigwait(&set, &signal_number) != 0) {
            continue;
        }
        if (signal_number != SIGUSR1) {
            return signal_number;
        }
        if (ended.load()) {
            return 0;
        }
        reload_config(path, store);
    }
}

void wake_stop_waiter(unsigned long waiter) noexcept {
    pthread_kill(static_cast<pthread_t>(waiter), SIGUSR1);
}

const char* signal_name(int signal_number) noexcept {
    switch (signal_number) {
    case SIGHUP:
        return "SIGHUP";
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    case SIGUSR1:
        return "SIGUSR1";
    default:
        return "a signal";
    }
}

} // namespace rua::milter
