// The daemon's start-up order matters and is fixed here: signals blocked
// before any thread, syslog opened and the socket bound while still root,
// fork, pid file, then setgid/initgroups/setuid, and only then threads.
// Must never leave a half-started daemon running after a start-up error.
#include "daemon.hpp"

#include "callbacks.hpp"
#include "config_store.hpp"
#include "listen_socket.hpp"
#include "log.hpp"
#include "privileges.hpp"
#include "reload.hpp"
#include "store_backend.hpp"

#include <rua/errors.hpp>

#include <libmilter/mfapi.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <optional>
#include <system_error>
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
    int status = 0;
    {
        ReloadThread reload(options.config, store);
        log_info("started: socket {}, report domains {}, after-ingest {}", config->socket,
                 config->report_domains.size(),
                 config->after_ingest == AfterIngest::remove ? "remove" : "deliver");
        status = smfi_main() == MI_SUCCESS ? 0 : k_ex_oserr;
    }
    install_filter(nullptr);
    log_info("stopped{}", status == 0 ? "" : " after an error in smfi_main");
    if (config->pid_file && unlink(config->pid_file->c_str()) != 0 && errno != ENOENT) {
        log_debug("cannot remove pid file {}: {}", *config->pid_file, errno_text());
    }
    log_close();
    return status;
}

} // namespace rua::milter
