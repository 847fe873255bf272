// `rua-milter -n`: everything that can be checked before starting, so that
// "configuration OK" means the daemon can start: the file (already parsed),
// root without UserID, the user and group, the directories of the socket
// and the pid file, and (unless -N) the database and its schema. Must
// never change anything, and never print a password (redact_credentials).
#pragma once

#include "config.hpp"

#include <iosfwd>

namespace rua::milter {

// Prints one `FILE: problem` line per problem to `err` and the verdict to
// `out`. Returns 0 (OK), 78 (EX_CONFIG: a problem with the file or the
// schema) or 69 (EX_UNAVAILABLE: the database cannot be reached).
// `as_root`: checks as the daemon started as root would. Never throws but
// std::bad_alloc.
int check_setup(const Config& config, bool as_root, bool check_database, std::ostream& out,
                std::ostream& err);

} // namespace rua::milter
