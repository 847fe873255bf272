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
    uid_t uid = 0;
    gid_t gid = 0;
};

// Resolves UserID (user, or user:group). Throws rua::ConfigError naming the
// missing user or group.
Identity lookup_identity(const std::string& user, const std::optional<std::string>& group);

// Throws rua::Error with the failing call and errno text.
void drop_privileges(const Identity& identity);

} // namespace rua::milter
