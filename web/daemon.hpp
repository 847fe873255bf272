// rua-web's life: bind while root, drop to UserID, then serve until a
// signal. Must never serve a request as root nor start on a config that
// did not validate.
#pragma once

#include "config.hpp"
#include "options.hpp"

namespace rua::web {

// Runs the server; returns the exit status (0 after a clean stop). Throws
// nothing: every failure is logged and mapped to a sysexits status.
int run_daemon(const Options& options, const ConfigPtr& config);

// -n: the config's identity and the database (reachable, schema current).
// Prints one line on `out` when all is well, one line per problem on `err`;
// returns 0, 69 (database unreachable) or 78.
int check_setup(const Config& config, bool as_root, std::ostream& out, std::ostream& err);

} // namespace rua::web
