// set_listen_nodelay on real loopback sockets: the listening socket of the
// configured port gets TCP_NODELAY, a socket accepted from it inherits it
// (the Linux behaviour the milter relies on), other sockets are left alone.
#include "listen_socket.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

using rua::milter::set_listen_nodelay;

namespace {

// An owned descriptor, closed on scope exit.
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    Fd& operator=(Fd&&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

// A loopback TCP socket bound to an ephemeral port, listening or not.
Fd loopback_socket(bool listening) {
    Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd.get() >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    if (listening) {
        REQUIRE(listen(fd.get(), 4) == 0);
    }
    return fd;
}

unsigned port_of(int fd) {
    sockaddr_in address{};
    socklen_t size = sizeof(address);
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    return ntohs(address.sin_port);
}

int nodelay(int fd) {
    int value = -1;
    socklen_t size = sizeof(value);
    REQUIRE(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &size) == 0);
    return value;
}

} // namespace

TEST_CASE("TCP_NODELAY is set on the listening socket of the port and inherited by accept") {
    const Fd listener = loopback_socket(true);
    const Fd other = loopback_socket(true); // another port: left alone
    const unsigned port = port_of(listener.get());
    REQUIRE(nodelay(listener.get()) == 0);

    const auto result = set_listen_nodelay("inet:" + std::to_string(port) + "@127.0.0.1");
    CHECK(result.applicable);
    CHECK(result.errors.empty());
    CHECK(result.set == std::vector<int>{listener.get()});
    CHECK(nodelay(listener.get()) != 0);
    CHECK(nodelay(other.get()) == 0);

    const Fd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    const Fd accepted(accept(listener.get(), nullptr, nullptr));
    REQUIRE(accepted.get() >= 0);
    CHECK(nodelay(accepted.get()) != 0);
}

TEST_CASE("a bound socket that does not listen is not the milter's socket") {
    const Fd bound = loopback_socket(false);
    const auto result =
        set_listen_nodelay("inet:" + std::to_string(port_of(bound.get())) + "@127.0.0.1");
    CHECK(result.applicable);
    CHECK(result.set.empty());
    CHECK(result.errors.empty());
    CHECK(nodelay(bound.get()) == 0);
}

TEST_CASE("unix and local sockets need no TCP_NODELAY and nothing is touched") {
    const Fd listener = loopback_socket(true);
    for (const char* spec : {"unix:/run/rua-milter/milter.sock", "local:/tmp/x.sock", "/tmp/y"}) {
        const auto result = set_listen_nodelay(spec);
        CHECK_FALSE(result.applicable);
        CHECK(result.set.empty());
    }
    CHECK(nodelay(listener.get()) == 0);
}
