// Assembles ruactl's manual pages from the per-command texts in
// help_pages.cpp: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS,
// ENVIRONMENT, EXAMPLES. Plain text for a terminal; never runs a command.
#include "help.hpp"

#include "help_pages.hpp"

#include <fmt/format.h>

namespace ruactl {

namespace {

constexpr const char* k_global_options =
    "    --database URL\n"
    "        libpq connection URI or key=value string of the database.\n"
    "    --sql-dir DIR\n"
    "        directory of the numbered migration files (db migrate, db status).\n"
    "    -h, --help\n"
    "        print this page and exit.\n";

constexpr const char* k_environment =
    "    RUA_DATABASE_URL\n"
    "        the database when --database is not given.\n"
    "    PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, ...\n"
    "        read by libpq when neither --database nor RUA_DATABASE_URL is set.\n"
    "    RUA_SQL_DIR\n"
    "        the migrations directory when --sql-dir is not given.\n";

constexpr const char* k_default_exit =
    "    0  success.\n"
    "    1  the command failed (object not found or already there); one line on\n"
    "       standard error says why.\n"
    "    2  usage error: unknown option, missing or bad argument.\n"
    "    75 the database cannot be reached now (server down or restarting):\n"
    "       try again later (EX_TEMPFAIL).\n"
    "    78 the database setup cannot work (EX_CONFIG): a malformed connection\n"
    "       string, failed authentication, no such database, role, host or socket\n"
    "       directory, or a schema that is not this version's (not migrated: run\n"
    "       'ruactl db migrate'; migrated by a newer version: upgrade).\n";

} // namespace

std::optional<std::string> help_page(std::string_view topic) {
    if (topic == "ruactl") {
        topic = "";
    }
    for (const auto& page : help_pages()) {
        if (page.topic != topic) {
            continue;
        }
        return fmt::format("NAME\n    {}\n\nSYNOPSIS\n{}\nDESCRIPTION\n{}\nOPTIONS\n{}{}\n"
                           "EXIT STATUS\n{}\nENVIRONMENT\n{}\nEXAMPLES\n{}",
                           page.name, page.synopsis, page.description, page.options,
                           k_global_options, page.exit_status ? page.exit_status : k_default_exit,
                           k_environment, page.examples);
    }
    return std::nullopt;
}

std::string usage_hint(std::string_view topic) {
    if (topic.empty()) {
        return "try 'ruactl --help'";
    }
    return fmt::format("try 'ruactl help {}'", topic);
}

} // namespace ruactl
