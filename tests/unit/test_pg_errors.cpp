// Connection failures told apart by libpq's words: what waiting will not fix
// (setup) against what it may (transient), and reasons that never carry a
// password.
#include "store/pg_errors.hpp"

#include <doctest/doctest.h>

using rua::classify_connect_failure;
using rua::ConnectFailure;
using rua::pg_reason;

TEST_CASE("a malformed connection string or a bad value is a setup failure") {
    CHECK(classify_connect_failure("missing \"=\" after \"oops\" in connection info string\n") ==
          ConnectFailure::setup);
    CHECK(classify_connect_failure("invalid port number: \"54x\"\n") == ConnectFailure::setup);
    CHECK(classify_connect_failure("invalid sslmode value: \"maybe\"\n") == ConnectFailure::setup);
    CHECK(classify_connect_failure("end of string reached when looking for matching \"]\" in "
                                   "IPv6 host address in URI: \"postgresql://u:p@[::1/db\"\n") ==
          ConnectFailure::setup);
}

TEST_CASE("a refused login, database or role and an unknown host are setup failures") {
    const char* cases[] = {
        "connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  "
        "password authentication failed for user \"rua\"\n",
        "connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  database \"x\" "
        "does not exist\n",
        "connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  role \"x\" does "
        "not exist\n",
        "connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  no pg_hba.conf "
        "entry for host \"10.0.0.2\", user \"rua\", database \"rua\", no encryption\n",
        "connection to server at \"db\" (10.0.0.1), port 5432 failed: fe_sendauth: no password "
        "supplied\n",
        "could not translate host name \"db.invalid\" to address: Name or service not known\n",
    };
    for (const char* what : cases) {
        CAPTURE(what);
        CHECK(classify_connect_failure(what) == ConnectFailure::setup);
    }
}

TEST_CASE("a server that is down, starting or overloaded is transient") {
    const char* cases[] = {
        "connection to server at \"db\" (10.0.0.1), port 5432 failed: Connection refused\n\tIs "
        "the server running on that host and accepting TCP/IP connections?\n",
        "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: No such file or "
        "directory\n",
        "connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  the database "
        "system is starting up\n",
        "connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  sorry, too many "
        "clients already\n",
        "could not translate host name \"db\" to address: Temporary failure in name resolution\n",
    };
    for (const char* what : cases) {
        CAPTURE(what);
        CHECK(classify_connect_failure(what) == ConnectFailure::transient);
    }
}

TEST_CASE("a socket directory that does not exist is a setup failure") {
    CHECK(classify_connect_failure("connection to server on socket "
                                   "\"/nonexistent/rua-milter/.s.PGSQL.5432\" failed: No such "
                                   "file or directory\n") == ConnectFailure::setup);
}

TEST_CASE("pg_reason keeps the first line, without the severity, and no password") {
    CHECK(pg_reason("FATAL:  database \"x\" does not exist\nDETAIL: more\n") ==
          "database \"x\" does not exist");
    CHECK(pg_reason("unexpected spaces found in \"postgresql://rua:my secret@db/rua\", use "
                    "percent-encoded spaces (%20) instead\n") ==
          "unexpected spaces found in \"postgresql://rua:***@db/rua\", use percent-encoded "
          "spaces (%20) instead");
    CHECK(pg_reason("invalid connection option \"host=db password=s3cret\"") ==
          "invalid connection option \"host=db password=***\"");
    CHECK(pg_reason("") == "unknown database error");
}
