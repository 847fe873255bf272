// A command's link to the database: the connection pool (opened lazily)
// and the admin session over it. Constructing one does no I/O.
#pragma once

#include "cli.hpp"

#include <rua/admin.hpp>
#include <rua/store.hpp>

namespace ruactl {

class Session {
public:
    explicit Session(const Args& args, std::size_t pool_size = 2)
        : m_pool(database_url(args), pool_size), m_admin(m_pool) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    rua::ConnectionPool& pool() { return m_pool; }
    rua::Admin& admin() { return m_admin; }

private:
    rua::ConnectionPool m_pool;
    rua::Admin m_admin;
};

} // namespace ruactl
