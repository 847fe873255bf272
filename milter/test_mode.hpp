// `rua-milter -t FILE`: drives the real Filter over a message file as an
// MTA would (connect, MAIL, RCPT, DATA, headers, body, end of message)
// against the configured database, and prints each SMTP reply. It writes
// to the database like the daemon; it must never bind a socket or fork.
#pragma once

#include "config.hpp"

#include <optional>
#include <ostream>
#include <string>

namespace rua::milter {

// Returns 0 (accepted), 69 (5xx), 75 (4xx) or 66 (cannot read FILE).
int run_test_mode(const ConfigPtr& config, const std::string& file,
                  const std::optional<std::string>& rcpt, std::ostream& out);

} // namespace rua::milter
