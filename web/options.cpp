// Command-line parsing for rua-web (plain argv walking, no getopt state) and
// the -h manual. Must never exit the process; the caller decides the status.
#include "options.hpp"

#include <fmt/format.h>

#include <string_view>

namespace rua::web {

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-c") {
            if (i + 1 >= argc) {
                throw UsageError("option -c needs a file name");
            }
            options.config = argv[++i];
        } else if (arg == "-n") {
            options.check_only = true;
        } else if (arg == "-f") {
            options.foreground = true;
        } else if (arg == "-V") {
            options.version = true;
        } else if (arg == "-h" || arg == "--help") {
            options.help = true;
        } else {
            throw UsageError(fmt::format("unknown option \"{}\"", arg));
        }
    }
    return options;
}

const char* help_text() {
    return R"(NAME
    rua-web - the DMARC dashboard and JSON API of rua-milter

SYNOPSIS
    rua-web [-f] [-c FILE]
    rua-web -n [-c FILE]
    rua-web -V | -h

DESCRIPTION
    rua-web serves the dashboard pages and the JSON API (/api/v1/, described
    by /api/v1/openapi.json) over the reports rua-milter stored in
    PostgreSQL. It reads the database and writes only browser sessions. It
    speaks plain HTTP on loopback (Listen) and is meant to sit behind the
    site's reverse proxy, which adds TLS. Every request needs a token made
    with 'ruactl token add': 'Authorization: Bearer TOKEN' for the API, or a
    session cookie from the login page. An account's token sees only its
    account's domains; the operator's (--admin) sees every account, the
    quarantine, the conflicts and /metrics.

OPTIONS
    -c FILE   Read the configuration from FILE (default /etc/rua-web.conf).
    -n        Check the configuration, the files the pages load (StaticDir's
              pages, script, stylesheet and icon, and ChartJs: readable) and
              the database (reachable, schema current), print `FILE:
              configuration OK (...)` and exit 0; else one line per problem
              on standard error and exit 78 (configuration, files or schema)
              or 69 (database unreachable).
    -f        Stay in the foreground and also log to standard error.
    -V        Print the version and exit.
    -h        Print this text and exit.

SIGNALS
    SIGTERM, SIGINT, SIGHUP
              Stop: the listener closes, requests in progress finish, exit 0.

FILES
    /etc/rua-web.conf
              Configuration; every key is described in
              /usr/share/doc/rua-milter/rua-web.conf.sample.

EXIT STATUS
    0   success
    64  bad command line (EX_USAGE)
    69  -n: the database cannot be reached (EX_UNAVAILABLE)
    71  cannot listen or start (EX_OSERR)
    77  cannot drop privileges, or root without UserID (EX_NOPERM)
    78  configuration error; -n: also an unreadable page file or a schema
        not migrated (EX_CONFIG)

SEE ALSO
    rua-milter(8), ruactl(1), rua-web.conf.sample.
)";
}

} // namespace rua::web
