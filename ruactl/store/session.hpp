// A command's link to the database: the connection pool (opened lazily)
// and the admin session over it. Constructing one checks the database's
// schema (one short connection) and nothing else.
#pragma once

#include "cli.hpp"

#include <rua/admin.hpp>
#include <rua/registry.hpp>
#include <rua/store.hpp>

#include <string>
#include <vector>

namespace ruactl {

// Refuses a database whose schema is not exactly this build's, before a
// command reads or writes it (after its command line is known to be right):
// throws rua::SchemaError, rua::ConfigError or rua::TryLater (cmd_db.cpp).
void check_database(const Args& args);

// The migrations directory: --sql-dir, else rua::default_sql_dir().
std::string sql_dir(const Args& args);

// The registry's entries for the command's --rua ADDRESS options (for
// rua::ProcessOptions::ruas), in their order; none without the option.
// Throws rua::Error naming an address that is not registered
// (registered_ruas.cpp).
std::vector<rua::RuaEntry> registered_ruas(const Args& args, rua::ConnectionPool& pool);

class Session {
public:
    explicit Session(const Args& args, std::size_t pool_size = 2)
        : m_pool((check_database(args), database_url(args)), pool_size), m_admin(m_pool) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    rua::ConnectionPool& pool() { return m_pool; }
    rua::Admin& admin() { return m_admin; }

private:
    rua::ConnectionPool m_pool;
    rua::Admin m_admin;
};

} // namespace ruactl
