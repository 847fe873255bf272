// Dropping root after the milter socket is bound: look the user up with
// the _r functions, then setgid, initgroups, setuid, in that order, and
// check that root cannot be regained. Must never continue half-dropped.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace rua::milter {

struct Identity {
    std::string user;
    std::string home; // the user's home directory, from the password database
    uid_t uid = 0;
    gid_t gid = 0;
};

// Resolves UserID (user, or user:group). Throws rua::ConfigError naming the
// missing user or group.
Identity lookup_identity(const std::string& user, const std::optional<std::string>& group);

// Throws rua::Error with the failing call and errno text. Sets HOME to the
// user's home directory (or unsets it), as su does: libpq finds ~/.pgpass and
// the ~/.postgresql/ client certificate files through HOME, and root's would
// be unreadable once root is gone (a TLS connection then fails).
void drop_privileges(const Identity& identity);

} // namespace rua::milter
