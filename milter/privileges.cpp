// lookup_identity and drop_privileges. Runs once, in the main thread,
// before any worker thread exists (setuid applies per thread on Linux at
// the syscall level; glibc broadcasts it, but we do not rely on that).
// Must never leave the process with a mix of root and user credentials.
#include "privileges.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <vector>

namespace rua::milter {

namespace {

std::size_t buffer_size(int name) {
    const long size = sysconf(name);
    return size > 0 ? static_cast<std::size_t>(size) : 16384;
}

std::string errno_text(int error) {
    return std::generic_category().message(error);
}

} // namespace

Identity lookup_identity(const std::string& user, const std::optional<std::string>& group) {
    Identity identity;
    identity.user = user;
    std::vector<char> buffer(buffer_size(_SC_GETPW_R_SIZE_MAX));
    passwd pw{};
    passwd* found = nullptr;
    int rc = 0;
    while ((rc = getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found)) == ERANGE) {
        buffer.resize(buffer.size() * 2);
    }
    if (rc != 0 || found == nullptr) {
        throw ConfigError(fmt::format("UserID: unknown user \"{}\"{}", user,
                                      rc != 0 ? ": " + errno_text(rc) : std::string()));
    }
    identity.uid = pw.pw_uid;
    identity.gid = pw.pw_gid;
    identity.home = pw.pw_dir != nullptr ? pw.pw_dir : "";
    if (group) {
        std::vector<char> gbuffer(buffer_size(_SC_GETGR_R_SIZE_MAX));
        struct group gr {};
        struct group* gfound = nullptr;
        while ((rc = getgrnam_r(group->c_str(), &gr, gbuffer.data(), gbuffer.size(), &gfound)) ==
               ERANGE) {
            gbuffer.resize(gbuffer.size() * 2);
        }
        if (rc != 0 || gfound == nullptr) {
            throw ConfigError(fmt::format("UserID: unknown group \"{}\"{}", *group,
                                          rc != 0 ? ": " + errno_text(rc) : std::string()));
        }
        identity.gid = gr.gr_gid;
    }
    return identity;
}

void drop_privileges(const Identity& identity) {
    if (setgid(identity.gid) != 0) {
        throw Error(fmt::format("setgid({}): {}", identity.gid, errno_text(errno)));
    }
    if (initgroups(identity.user.c_str(), identity.gid) != 0) {
        throw Error(fmt::format("initgroups({}): {}", identity.user, errno_text(errno)));
    }
    if (setuid(identity.uid) != 0) {
        throw Error(fmt::format("setuid({}): {}", identity.uid, errno_text(errno)));
    }
    if (identity.uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
        throw Error("dropped privileges but could regain root");
    }
    // The environment is changed here only, while no other thread exists.
    int rc = 0;
    if (identity.home.empty()) {
        rc = ::unsetenv("HOME"); // NOLINT(concurrency-mt-unsafe)
    } else {
        rc = ::setenv("HOME", identity.home.c_str(), 1); // NOLINT(concurrency-mt-unsafe)
    }
    if (rc != 0) {
        throw Error(fmt::format("setting HOME: {}", errno_text(errno)));
    }
}

} // namespace rua::milter
