// Socket options for the listening socket libmilter creates: it never hands
// out the sockets it accepts, but on Linux an accepted TCP socket inherits
// TCP_NODELAY from the listening one. Must never close, bind or otherwise
// change a descriptor other than by setting that one option.
#pragma once

#include <string>
#include <vector>

namespace rua::milter {

// What set_listen_nodelay did, for the caller to log.
struct NodelayResult {
    bool applicable = false;         // an inet:/inet6: socket spec
    std::vector<int> set;            // listening descriptors now with TCP_NODELAY
    std::vector<std::string> errors; // one line per descriptor that failed, or the scan
};

// Finds this process's listening TCP sockets on the port of `socket_spec`
// (libmilter's "inet:PORT@HOST" / "inet6:PORT@HOST"; any port when PORT is a
// service name) and sets TCP_NODELAY on each. A unix:/local: spec is not
// applicable and touches nothing. Never throws.
NodelayResult set_listen_nodelay(const std::string& socket_spec) noexcept;

// set_listen_nodelay, logged: what was set at debug, a failure as a warning
// (replies still work, only slower). Never throws.
void log_listen_nodelay(const std::string& socket_spec) noexcept;

} // namespace rua::milter
