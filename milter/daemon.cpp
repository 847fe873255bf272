// The daemon's start-up order matters and is fixed here: signals blocked
// before any thread, syslog opened and the socket bound while still root,
// fork, pid file, then setgid/initgroups/setuid, and only then threads. So
// is the stop: listener closed (woken at once, not after libmilter's 5 s
// poll), messages in flight answered, worker pool joined, pid file removed.
// Must never leave a half-started daemon running after a start-up error.
#include "daemon.hpp"

#include "callbacks.hpp"
#include "config_store.hpp"
#include "listen_socket.hpp"
#include "log.hpp"
#include "metrics_listener.hpp"
#include "privileges.hpp"
#include "reload.hpp"
#include "store_backend.hpp"

#include <rua/errors.hpp>

#include <libmilter/mfapi.h>

#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

namespace rua::milter {

namespace {

constexpr int k_ex_oserr = 71;
constexpr int k_ex_noperm = 77;
constexpr int k_ex_config = 78;

std::string errno_text() {
    return std::generic_category().message(errno);
}

// The filesystem path of a unix:/local: socket spec, if it is one.
std::optional<std::string> unix_path(const std::string& socket) {
    for (const char* prefix : {"unix:", "local:"}) {
        const std::string_view p(prefix);
        if (socket.compare(0, p.size(), p) == 0) {
            return socket.substr(p.size());
        }
    }
    return std::nullopt;
}

bool write_pid_file(const std::string& path, pid_t pid) {
    std::ofstream out(path, std::ios::trunc);
    out << pid << '\n';
    out.close();
    if (!out) {
        log_error("cannot write pid file {}: {}", path, errno_text());
        return false;
    }
    return true;
}

// Forks; the parent records the child's pid and exits, so the pid file
// exists before a service manager sees the parent go. Returns in the child.
void daemonize(const std::optional<std::string>& pid_file) {
    const pid_t child = fork();
    if (child < 0) {
        throw Error("fork: " + errno_text());
    }
    if (child > 0) {
        const bool ok = !pid_file || write_pid_file(*pid_file, child);
        _exit(ok ? 0 : k_ex_oserr);
    }
    if (setsid() < 0) {
        throw Error("setsid: " + errno_text());
    }
    const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) {
            ::close(null);
        }
    }
}

// One connection to our own listening socket, closed at once: it wakes
// libmilter's listener from its poll (which holds the lock smfi_stop waits
// for, up to 5 s) so it sees the stop request now. Best effort.
void poke_listener(const std::string& socket) noexcept {
    if (auto path = unix_path(socket)) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (path->size() >= sizeof address.sun_path) {
            return;
        }
        path->copy(address.sun_path, path->size()); // zero-filled above: terminated
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            static_cast<void>(
                connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address));
            ::close(fd);
        }
        return;
    }
    // inet:PORT@HOST or inet6:PORT@HOST; no host means every address.
    const auto colon = socket.find(':');
    const auto at = socket.find('@');
    if (colon == std::string::npos) {
        return;
    }
    const bool six = socket.compare(0, colon, "inet6") == 0;
    const std::string port =
        socket.substr(colon + 1, at == std::string::npos ? std::string::npos : at - colon - 1);
    std::string host = at == std::string::npos ? std::string() : socket.substr(at + 1);
    if (host.empty() || host == "0.0.0.0" || host == "::") {
        host = six ? "::1" : "127.0.0.1";
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    addrinfo hints{};
    hints.ai_family = six ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) {
        return;
    }
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            continue;
        }
        const bool ok = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
        ::close(fd);
        if (ok) {
            break;
        }
    }
    freeaddrinfo(found);
}

// smfi_main on a thread of its own, so that the main thread can wait for
// signals (and take SIGTERM/SIGHUP before libmilter's signal thread).
class Listener {
public:
    explicit Listener(unsigned long waiter)
        : m_thread([this, waiter] {
              const int status = smfi_main();
              {
                  std::lock_guard<std::mutex> lock(m_mutex);
                  m_status = status;
              }
              m_ended = true;
              m_done.notify_all();
              wake_stop_waiter(waiter);
          }) {}
    ~Listener() { m_thread.join(); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    const std::atomic<bool>& ended() const { return m_ended; }

    // Asks libmilter to stop and wakes its listener until smfi_main returns.
    void stop(const std::string& socket) {
        if (m_ended) {
            return; // libmilter stopped on its own; its lock is gone
        }
        std::thread stopper([] { smfi_stop(); }); // blocks until the poll ends
        std::unique_lock<std::mutex> lock(m_mutex);
        for (int tries = 0; tries < 100 && !m_ended; ++tries) {
            lock.unlock();
            poke_listener(socket);
            lock.lock();
            m_done.wait_for(lock, std::chrono::milliseconds(100),
                            [this] { return m_ended.load(); });
        }
        lock.unlock();
        stopper.join();
    }

    int status() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_status;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_done;
    std::atomic<bool> m_ended{false};
    int m_status = MI_SUCCESS; // guarded by m_mutex
    std::thread m_thread;
};

} // namespace

int run_daemon(const Options& options, const ConfigPtr& config) {
    const bool root = geteuid() == 0;
    if (root && !config->user) {
        static_cast<void>(std::fprintf(stderr,
                                       "rua-milter: %s: refusing to run as root without UserID\n",
                                       config->file.c_str()));
        return k_ex_noperm;
    }
    std::optional<Identity> identity;
    try {
        if (root) {
            identity = lookup_identity(*config->user, config->group);
        }
    } catch (const ConfigError& e) {
        static_cast<void>(
            std::fprintf(stderr, "rua-milter: %s: %s\n", config->file.c_str(), e.what()));
        return k_ex_config;
    }

    block_daemon_signals();
    log_open("rua-milter", config->syslog_facility_code, options.foreground);
    log_set_level(config->log_level);
    if (config->umask) {
        ::umask(static_cast<mode_t>(*config->umask));
    }

    // Bound as root like the milter socket (a port below 1024 is allowed);
    // its thread starts after the fork. A port in use is a config error.
    std::optional<MetricsListener> metrics;
    if (config->metrics_socket) {
        try {
            metrics.emplace(*config->metrics_socket);
        } catch (const MetricsBindError& e) {
            log_error("{}: MetricsSocket: {}", config->file, e.what());
            if (!options.foreground) { // the log is not on stderr: say it there too
                static_cast<void>(std::fprintf(stderr, "rua-milter: %s: MetricsSocket: %s\n",
                                               config->file.c_str(), e.what()));
            }
            return k_ex_config;
        }
    }

    const smfiDesc desc = make_description();
    std::vector<char> socket(config->socket.begin(), config->socket.end());
    socket.push_back('\0');
    if (smfi_setconn(socket.data()) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
        smfi_opensocket(true) != MI_SUCCESS) {
        log_error("cannot create the milter socket {}", config->socket);
        return k_ex_oserr;
    }
    log_listen_nodelay(config->socket);
    if (identity) {
        if (auto path = unix_path(config->socket)) {
            if (chown(path->c_str(), identity->uid, identity->gid) != 0) {
                log_warning("cannot chown {} to {}: {}", *path, identity->user, errno_text());
            }
        }
    }

    try {
        if (!options.foreground) {
            daemonize(config->pid_file);
        } else if (config->pid_file) {
            write_pid_file(*config->pid_file, getpid());
        }
        if (identity) {
            drop_privileges(*identity);
        }
    } catch (const Error& e) {
        log_error("cannot start: {}", e.what());
        return k_ex_noperm;
    }

    ConfigStore store(config);
    auto backend = std::make_shared<StoreBackend>(config->database_uri, config->pool_size,
                                                  config->registry_refresh);
    backend->start(true);
    LibmilterApi api;
    Filter filter(api, backend, store);
    install_filter(&filter);
    if (metrics) {
        metrics->start([&filter, &backend] {
            Gauges gauges;
            gauges.inflight_bytes = filter.memory_in_use();
            gauges.registry_age = backend->registry_age();
            gauges.db_pool_in_use = backend->connections_in_use();
            return filter.metrics().render(gauges, RUA_VERSION);
        });
        if (auto why = metrics_exposure_warning(*config->metrics_socket); !why.empty()) {
            log_warning("{}", why);
        }
        log_info("metrics: serving http://{}/metrics",
                 config->metrics_socket->inet6
                     ? fmt::format("[{}]:{}", config->metrics_socket->address,
                                   config->metrics_socket->port)
                     : fmt::format("{}:{}", config->metrics_socket->address,
                                   config->metrics_socket->port));
    }
    int status = 0;
    {
        Listener listener(static_cast<unsigned long>(pthread_self()));
        log_info("started: socket {}, report domains {}, after-ingest {}", config->socket,
                 config->report_domains.size(),
                 config->after_ingest == AfterIngest::remove ? "remove" : "deliver");
        const int signal_number = wait_for_stop(options.config, store, listener.ended());
        if (signal_number == 0) {
            log_info("stopping: libmilter stopped listening (a stop signal it took itself, or "
                     "an error)");
        } else {
            log_info("stopping on {}{}", signal_name(signal_number),
                     signal_number == SIGHUP ? " (SIGHUP stops rua-milter; SIGUSR1 reloads)" : "");
        }
        listener.stop(config->socket);
        status = listener.status() == MI_SUCCESS ? 0 : k_ex_oserr;
    }
    // The listener is closed; messages already at end of message get their
    // answer, then the workers are joined before anything they use goes.
    const auto grace = std::chrono::duration_cast<std::chrono::milliseconds>(
        store.get()->eom_deadline + std::chrono::seconds(5));
    if (!filter.wait_idle(grace)) {
        log_warning("stopping with messages still in flight after {} ms", grace.count());
    }
    // Connections the MTA closes right after its answer free their state
    // through the close callback; give them a moment (bounded, only when
    // some are open) before the callbacks are cut off.
    for (int i = 0; i < 200 && filter.open_connections() > 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (metrics) {
        metrics->stop(); // it reads the filter and the backend
    }
    install_filter(nullptr);
    backend->shutdown();
    if (config->pid_file && unlink(config->pid_file->c_str()) != 0 && errno != ENOENT) {
        log_warning("cannot remove pid file {}: {}", *config->pid_file, errno_text());
    }
    log_info("stopped{}", status == 0 ? "" : " after an error in smfi_main");
    log_close();
    return status;
}

} // namespace rua::milter
