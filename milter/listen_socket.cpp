// set_listen_nodelay: TCP_NODELAY on libmilter's listening socket, found by
// scanning /proc/self/fd after smfi_opensocket. Without it each
// end-of-message reply (two small writes) waits on the MTA's delayed ACK,
// ~40 ms per message. Must never touch a descriptor that is not a listening
// TCP socket on the configured port.
#include "listen_socket.hpp"

#include "log.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>

namespace rua::milter {

namespace {

struct InetSpec {
    std::optional<unsigned> port; // nullopt: a service name, match any port
};

// "inet:PORT@HOST", "inet:PORT", "inet6:PORT@HOST"; nullopt for anything
// else (unix:, local:, a bare path).
std::optional<InetSpec> inet_spec(std::string_view spec) {
    std::string_view rest;
    for (std::string_view prefix : {"inet:", "inet6:"}) {
        if (spec.substr(0, prefix.size()) == prefix) {
            rest = spec.substr(prefix.size());
            break;
        }
    }
    if (rest.empty()) {
        return std::nullopt;
    }
    const std::string_view port_text = rest.substr(0, rest.find('@'));
    unsigned port = 0;
    const auto* end = port_text.data() + port_text.size();
    const auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
    if (ec != std::errc() || ptr != end || port > 65535) {
        return InetSpec{std::nullopt};
    }
    return InetSpec{port};
}

int int_option(int fd, int level, int name) {
    int value = 0;
    socklen_t size = sizeof(value);
    if (getsockopt(fd, level, name, &value, &size) != 0) {
        return -1;
    }
    return value;
}

// The local port of a listening IPv4/IPv6 stream socket, else nullopt.
std::optional<unsigned> listening_tcp_port(int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        return std::nullopt;
    }
    if (int_option(fd, SOL_SOCKET, SO_TYPE) != SOCK_STREAM ||
        int_option(fd, SOL_SOCKET, SO_ACCEPTCONN) != 1) {
        return std::nullopt;
    }
    sockaddr_storage address{};
    socklen_t size = sizeof(address);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        return std::nullopt;
    }
    if (address.ss_family == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    }
    if (address.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    }
    return std::nullopt;
}

} // namespace

NodelayResult set_listen_nodelay(const std::string& socket_spec) noexcept {
    NodelayResult result;
    try {
        const auto spec = inet_spec(socket_spec);
        if (!spec) {
            return result;
        }
        result.applicable = true;
        std::error_code ec;
        for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
             it.increment(ec)) {
            const std::string name = it->path().filename().string();
            int fd = -1;
            const auto [ptr, parse_ec] =
                std::from_chars(name.data(), name.data() + name.size(), fd);
            if (parse_ec != std::errc() || ptr != name.data() + name.size()) {
                continue;
            }
            const auto port = listening_tcp_port(fd);
            if (!port || (spec->port && *spec->port != *port)) {
                continue;
            }
            const int on = 1;
            if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0) {
                result.errors.push_back("fd " + name + ": setsockopt TCP_NODELAY: " +
                                        std::generic_category().message(errno));
                continue;
            }
            result.set.push_back(fd);
        }
        if (ec) {
            result.errors.push_back("cannot list /proc/self/fd: " + ec.message());
        }
    } catch (const std::exception& e) {
        result.errors.emplace_back(e.what());
    } catch (...) {
        result.errors.emplace_back("unknown error");
    }
    return result;
}

void log_listen_nodelay(const std::string& socket_spec) noexcept {
    const NodelayResult result = set_listen_nodelay(socket_spec);
    if (!result.applicable) {
        log_debug("socket {}: not TCP, TCP_NODELAY not needed", socket_spec);
        return;
    }
    for (const auto& error : result.errors) {
        log_warning("socket {}: {}; replies may wait on delayed ACKs", socket_spec, error);
    }
    if (result.set.empty()) {
        if (result.errors.empty()) {
            log_warning("socket {}: listening socket not found, TCP_NODELAY not set", socket_spec);
        }
        return;
    }
    log_debug("socket {}: TCP_NODELAY set on listening fd {}", socket_spec,
              fmt::join(result.set, ","));
}

} // namespace rua::milter
