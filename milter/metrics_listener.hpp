// The /metrics HTTP listener: a socket bound at start-up (as root, before
// the privilege drop, like the milter socket) and one thread that answers
// one connection at a time. It serves only `GET /metrics`; it must never
// read more than a bounded request, wait on a silent client past a short
// timeout, nor touch anything but the text its render function returns.
#pragma once

#include "config_values.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace rua::milter {

// The listener cannot bind: "cannot listen on inet:9100@127.0.0.1: Address
// already in use".
class MetricsBindError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One HTTP answer as sent: status line, headers, body.
struct HttpAnswer {
    int status = 200;
    std::string body;
};

// The answer to the request head `head` (request line and headers, without
// the blank line): 200 with `render()` for GET /metrics (a query string is
// ignored), 404 for another path, 405 for another method, 400 for a line
// that is not HTTP. Throws what render throws.
HttpAnswer answer_request(std::string_view head, const std::function<std::string()>& render);

// The bytes sent for `answer`, Connection: close.
std::string http_response(const HttpAnswer& answer);

class MetricsListener {
public:
    static constexpr std::size_t k_max_request = 8192;
    static constexpr std::chrono::milliseconds k_read_timeout{2000};

    // Binds and listens now. Throws MetricsBindError.
    explicit MetricsListener(const MetricsSocket& where);
    ~MetricsListener(); // stop()
    MetricsListener(const MetricsListener&) = delete;
    MetricsListener& operator=(const MetricsListener&) = delete;

    // Starts the serving thread (after any fork). `render` runs on it and
    // must stay valid until stop(). Throws std::system_error.
    void start(std::function<std::string()> render);
    // Wakes and joins the thread, closes the socket. Idempotent.
    void stop() noexcept;

    std::uint16_t port() const noexcept { return m_port; }

private:
    void serve() noexcept;
    void handle(int fd) noexcept;

    int m_fd = -1;
    int m_wake[2] = {-1, -1};
    std::uint16_t m_port = 0;
    std::function<std::string()> m_render;
    std::thread m_thread;
};

} // namespace rua::milter
