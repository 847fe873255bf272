// The DNS resolver ruactl's DNS checks use: libunbound, a validating,
// caching stub resolver library (TTLs and negative answers cached), through
// the project's one wrapper of it (src/dns/queries.hpp), which gives every
// query a hard deadline. Loopback tests point it at a private server with
// `forwarder`.
#pragma once

#include <rua/authz.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace rua {

class UnboundResolver final : public TxtResolver {
public:
    // `forwarder`: "ADDRESS[@PORT]" to ask instead of /etc/resolv.conf's
    // servers. Throws ConfigError ("libunbound: ...") when libunbound
    // refuses the setup.
    UnboundResolver(const std::optional<std::string>& forwarder, std::chrono::milliseconds timeout);
    ~UnboundResolver() override;
    UnboundResolver(const UnboundResolver&) = delete;
    UnboundResolver& operator=(const UnboundResolver&) = delete;

    TxtAnswer txt(const std::string& name) override;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rua
