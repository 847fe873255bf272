// Command-line parsing for rua-milter (plain argv walking: no global getopt
// state, so tests can call it repeatedly) and the -h manual text.
// Must never exit the process; the caller decides the exit status.
#include "options.hpp"

#include <fmt/format.h>

#include <string_view>

namespace rua::milter {

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto value = [&](const char* what) -> std::string {
            if (i + 1 >= argc) {
                throw UsageError(fmt::format("option {} needs {}", arg, what));
            }
            return argv[++i];
        };
        if (arg == "-c") {
            options.config = value("a file name");
        } else if (arg == "-n") {
            options.check_only = true;
        } else if (arg == "-N") {
            options.check_database = false;
        } else if (arg == "-f") {
            options.foreground = true;
        } else if (arg == "-t") {
            options.test_file = value("a message file");
        } else if (arg == "-r") {
            options.test_rcpt = value("a recipient address");
        } else if (arg == "-V") {
            options.version = true;
        } else if (arg == "-h" || arg == "--help") {
            options.help = true;
        } else {
            throw UsageError(fmt::format("unknown option \"{}\"", arg));
        }
    }
    if (options.test_rcpt && !options.test_file) {
        throw UsageError("-r is only valid with -t");
    }
    if (!options.check_database && !options.check_only) {
        throw UsageError("-N is only valid with -n");
    }
    if (options.check_only && options.test_file) {
        throw UsageError("-n and -t cannot be combined");
    }
    return options;
}

const char* help_text() {
    return R"(NAME
    rua-milter - store DMARC and SMTP TLS reports in PostgreSQL at SMTP time

SYNOPSIS
    rua-milter [-f] [-c FILE]
    rua-milter -n [-N] [-c FILE]
    rua-milter -t MESSAGE [-r RCPT] [-c FILE]
    rua-milter -V | -h

DESCRIPTION
    rua-milter is a mail filter (milter) for Postfix and Sendmail. It watches
    the recipients of each message: a recipient registered in the rua
    registry (the database's rua_address table) is a DMARC report address.
    Messages for such an address are read whole; the reports they carry
    (DMARC aggregate, SMTP TLS and DMARC failure reports, recognised by
    content, several kinds per message allowed) are parsed and stored in one
    transaction before the MTA answers DATA. What of a failure report's copy
    of the original message is kept is set by FailureReportPrivacy. Bad
    reports are quarantined (or rejected, see OnBadReport); when the
    database is unavailable the sender is told to retry (451 4.3.0).
    Unregistered recipients in ReportDomains are refused at RCPT with
    550 5.1.1. Mail for any other recipient passes untouched and unread.
    After storing, the rua recipients are removed (AfterIngest remove) or
    the message is delivered with an X-Rua-Milter header (deliver).

OPTIONS
    -c FILE   Read the configuration from FILE (default /etc/rua-milter.conf).
    -n        Check the setup and exit: the configuration file, running as
              root without UserID, the user and group of UserID, the
              directories of Socket and PidFile, then the database: connect
              with DatabaseURI (its password never printed) and compare the
              schema with the migrations shipped. Prints `FILE:
              configuration OK (...)` and exits 0; else one line per problem
              on standard error and exits 78 (configuration or schema: run
              'ruactl db migrate') or 69 (the database cannot be reached).
    -N        With -n: skip the database check.
    -f        Stay in the foreground and also log to standard error.
    -t FILE   Test mode: run the filter over the message in FILE without an
              MTA, against the database named in the configuration, and print
              the SMTP replies that would be given and what was stored.
              The data IS written to the database.
    -r RCPT   With -t: the envelope recipient (default: the first address of
              the message's To: header).
    -V        Print the version and exit.
    -h        Print this text and exit.

SIGNALS
    SIGUSR1   Read the configuration file again. Connections keep the
              configuration they started with; a bad file is logged and the
              running configuration kept. Socket, UserID, PidFile,
              DatabaseURI, PoolSize, RegistryRefresh and SyslogFacility take
              effect only on restart.
    SIGTERM, SIGINT, SIGHUP
              Stop: the socket is closed at once, messages already at end of
              message get their answer (waiting at most EomDeadline plus 5
              seconds), the database workers are joined, the pid file is
              removed and the daemon exits 0. SIGHUP stops too: libmilter's
              own signal thread reserves it, so it cannot mean "reload";
              use SIGUSR1 (systemctl reload) to reload.

FILES
    /etc/rua-milter.conf
              Configuration; every key is described in the sample copy,
              /usr/share/doc/rua-milter/rua-milter.conf.sample.
    /run/rua-milter/rua-milter.sock
              Default milter socket.

EXIT STATUS
    0   success (-t: the message would be accepted)
    64  bad command line (EX_USAGE)
    66  -t: the message file cannot be read or has no recipient (EX_NOINPUT)
    69  -t: the message would be rejected (5xx); -n: the database cannot
        be reached (EX_UNAVAILABLE)
    71  cannot create the socket or start (EX_OSERR)
    75  -t: the message would be deferred (4xx) (EX_TEMPFAIL)
    77  cannot drop privileges, or root without UserID (EX_NOPERM)
    78  configuration error; -n: also a schema not migrated (EX_CONFIG)

SEE ALSO
    ruactl(1), rua-milter.conf.sample, postconf(5) (smtpd_milters),
    RFC 7489 (DMARC), libmilter documentation.
)";
}

} // namespace rua::milter
