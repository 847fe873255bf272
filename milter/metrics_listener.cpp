// A hand-written HTTP/1.x loop rather than cpp-httplib: one path, one
// method, one connection at a time, so the whole server is a poll, a
// bounded read and one write, with its bounds (8 KiB request, 2 s to send
// it) in plain sight, no thread pool and no third-party code in the daemon.
// Must never block the stop: the thread polls a wake pipe with the socket.
#include "metrics_listener.hpp"

#include "log.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace rua::milter {

namespace {

std::string errno_text(int code) {
    return std::generic_category().message(code);
}

const char* status_text(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Internal Server Error";
    }
}

void close_fd(int& fd) noexcept {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

// Sends all of `bytes` or gives up at an error or a 2 s stall.
void send_all(int fd, std::string_view bytes) noexcept {
    while (!bytes.empty()) {
        pollfd p{fd, POLLOUT, 0};
        if (poll(&p, 1, static_cast<int>(MetricsListener::k_read_timeout.count())) <= 0) {
            return;
        }
        const auto sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return;
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
}

} // namespace

HttpAnswer answer_request(std::string_view head, const std::function<std::string()>& render) {
    const auto line_end = head.find("\r\n");
    const auto line = head.substr(0, line_end);
    const auto first = line.find(' ');
    const auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (first == 0 || second == std::string_view::npos ||
        line.substr(second + 1).substr(0, 5) != "HTTP/") {
        return HttpAnswer{400, "bad request\n"};
    }
    const auto method = line.substr(0, first);
    auto target = line.substr(first + 1, second - first - 1);
    target = target.substr(0, target.find('?'));
    if (target != "/metrics") {
        return HttpAnswer{404, "not found: only /metrics is served\n"};
    }
    if (method != "GET") {
        return HttpAnswer{405, "method not allowed: GET only\n"};
    }
    return HttpAnswer{200, render()};
}

std::string http_response(const HttpAnswer& answer) {
    const bool ok = answer.status == 200;
    return fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}"
        "Connection: close\r\n\r\n{}",
        answer.status, status_text(answer.status),
        ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8",
        answer.body.size(), answer.status == 405 ? "Allow: GET\r\n" : "", answer.body);
}

MetricsListener::MetricsListener(const MetricsSocket& where) {
    const int family = where.inet6 ? AF_INET6 : AF_INET;
    m_fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        throw MetricsBindError(
            fmt::format("cannot listen on {}: socket: {}", where.spec, errno_text(errno)));
    }
    const int one = 1;
    static_cast<void>(setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    sockaddr_storage address{};
    socklen_t length = 0;
    if (where.inet6) {
        auto* six = reinterpret_cast<sockaddr_in6*>(&address);
        six->sin6_family = AF_INET6;
        six->sin6_port = htons(where.port);
        inet_pton(AF_INET6, where.address.c_str(), &six->sin6_addr);
        length = sizeof *six;
    } else {
        auto* four = reinterpret_cast<sockaddr_in*>(&address);
        four->sin_family = AF_INET;
        four->sin_port = htons(where.port);
        inet_pton(AF_INET, where.address.c_str(), &four->sin_addr);
        length = sizeof *four;
    }
    if (bind(m_fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 ||
        listen(m_fd, 16) != 0 || pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        const int code = errno;
        close_fd(m_fd);
        throw MetricsBindError(
            fmt::format("cannot listen on {}: {}", where.spec, errno_text(code)));
    }
    // The port bound (the tests ask for port 0: any free one).
    if (getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        m_port = ntohs(where.inet6 ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                                   : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    }
}

MetricsListener::~MetricsListener() {
    stop();
}

void MetricsListener::start(std::function<std::string()> render) {
    m_render = std::move(render);
    m_thread = std::thread([this] { serve(); });
}

void MetricsListener::stop() noexcept {
    if (m_thread.joinable()) {
        const char byte = 0;
        static_cast<void>(::write(m_wake[1], &byte, 1));
        m_thread.join();
    }
    close_fd(m_fd);
    close_fd(m_wake[0]);
    close_fd(m_wake[1]);
}

void MetricsListener::serve() noexcept {
    for (;;) {
        std::array<pollfd, 2> watch{{{m_fd, POLLIN, 0}, {m_wake[0], POLLIN, 0}}};
        if (poll(watch.data(), watch.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            log_error("metrics: poll: {}", errno_text(errno));
            return;
        }
        if (watch[1].revents != 0) {
            return;
        }
        if ((watch[0].revents & POLLIN) == 0) {
            continue;
        }
        const int fd = accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            continue; // the client went away, or out of descriptors for now
        }
        handle(fd);
        ::close(fd);
    }
}

// Reads the request head (to the blank line) within the size and time
// bounds, answers, and stops sending; a request body is never read.
void MetricsListener::handle(int fd) noexcept {
    try {
        std::string head;
        const auto end = std::chrono::steady_clock::now() + k_read_timeout;
        std::array<char, 2048> chunk{};
        int status = 0;
        for (;;) {
            const auto head_end = head.find("\r\n\r\n");
            if (head_end != std::string::npos || head.size() > k_max_request) {
                status = head_end != std::string::npos && head_end + 4 <= k_max_request ? 0 : 431;
                break;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                end - std::chrono::steady_clock::now());
            pollfd p{fd, POLLIN, 0};
            if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) == 0) {
                status = 408;
                break;
            }
            const auto got = ::recv(fd, chunk.data(), chunk.size(), 0);
            if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
                return; // the client closed or failed: nobody to answer
            }
            if (got > 0) {
                head.append(chunk.data(), static_cast<std::size_t>(got));
            }
        }
        HttpAnswer answer;
        if (status == 0) {
            answer = answer_request(head, m_render);
        } else {
            answer.status = status;
            answer.body = status == 431 ? "request too large\n" : "request timed out\n";
        }
        send_all(fd, http_response(answer));
        static_cast<void>(::shutdown(fd, SHUT_WR));
    } catch (const std::exception& e) {
        log_error("metrics: cannot answer a scrape: {}", e.what());
    } catch (...) {
        log_error("metrics: cannot answer a scrape");
    }
}

} // namespace rua::milter
