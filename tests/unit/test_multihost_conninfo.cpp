// Multi-host connection strings (issue 12): libpq's failure text for several
// hosts is judged per host (setup only when every host is wrong), reported on
// one line naming each attempt, and a password anywhere in a multi-host URI
// or key=value string, or in libpq's echo of one, is hidden.
#include "store/pg_errors.hpp"

#include <rua/redact.hpp>

#include <doctest/doctest.h>

#include <string>

using rua::classify_connect_failure;
using rua::connect_failure_reason;
using rua::ConnectFailure;
using rua::redact_credentials;

namespace {

// libpq 15's text while the primary is down and the standby not yet promoted.
const std::string k_failover_window =
    "connection to server on socket \"/run/pga/.s.PGSQL.5432\" failed: No such file or "
    "directory\n"
    "\tIs the server running locally and accepting connections on that socket?\n"
    "connection to server on socket \"/run/pgb/.s.PGSQL.5432\" failed: session is read-only\n";

} // namespace

TEST_CASE("a primary down and a standby still read-only is transient") {
    CHECK(classify_connect_failure(k_failover_window) == ConnectFailure::transient);
}

TEST_CASE("a multi-host failure's reason names every attempt on one line") {
    CHECK(connect_failure_reason(k_failover_window) ==
          "connection to server on socket \"/run/pga/.s.PGSQL.5432\" failed: No such file or "
          "directory; connection to server on socket \"/run/pgb/.s.PGSQL.5432\" failed: session "
          "is read-only");
}

TEST_CASE("one wrong host beside one that may come back is transient") {
    const std::string what =
        "connection to server on socket \"/nonexistent-dir/.s.PGSQL.5432\" failed: No such file "
        "or directory\n"
        "\tIs the server running locally and accepting connections on that socket?\n"
        "connection to server at \"db2\" (10.0.0.2), port 5432 failed: Connection refused\n";
    CHECK(classify_connect_failure(what) == ConnectFailure::transient);
}

TEST_CASE("every host refusing the login is a setup failure, with the server's words") {
    const std::string what =
        "connection to server at \"db1\" (10.0.0.1), port 5432 failed: FATAL:  password "
        "authentication failed for user \"rua\"\n"
        "connection to server at \"db2\" (10.0.0.2), port 5432 failed: FATAL:  password "
        "authentication failed for user \"rua\"\n";
    CHECK(classify_connect_failure(what) == ConnectFailure::setup);
    CHECK(connect_failure_reason(what) ==
          "connection to server at \"db1\" (10.0.0.1), port 5432 failed: password "
          "authentication failed for user \"rua\"; connection to server at \"db2\" (10.0.0.2), "
          "port 5432 failed: password authentication failed for user \"rua\"");
}

TEST_CASE("a single host's reason is its one line, as before") {
    CHECK(connect_failure_reason("connection to server at \"localhost\" (127.0.0.1), port 5499 "
                                 "failed: SSL error: certificate verify failed\n") ==
          "connection to server at \"localhost\" (127.0.0.1), port 5499 failed: SSL error: "
          "certificate verify failed");
    CHECK(connect_failure_reason("FATAL:  database \"x\" does not exist\n") ==
          "database \"x\" does not exist");
}

TEST_CASE("passwords in multi-host connection strings are hidden") {
    CHECK(redact_credentials("postgresql://rua:s3cret@db1:5432,db2:5433/rua?target_session_attrs="
                             "read-write&sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem") ==
          "postgresql://rua:***@db1:5432,db2:5433/rua?target_session_attrs=read-write&sslmode="
          "verify-full&sslrootcert=/etc/ssl/ca.pem");
    CHECK(redact_credentials("postgresql:///rua?host=/run/a,/run/b&password=s3cret&"
                             "target_session_attrs=read-write&user=rua") ==
          "postgresql:///rua?host=/run/a,/run/b&password=***&target_session_attrs=read-write&"
          "user=rua");
    CHECK(redact_credentials("host=db1,db2 port=5432,5433 dbname=rua user=rua password=s3cret "
                             "target_session_attrs=read-write") ==
          "host=db1,db2 port=5432,5433 dbname=rua user=rua password=*** "
          "target_session_attrs=read-write");
    CHECK(redact_credentials("host=db1,db2 sslpassword='k e y' sslmode=verify-full") ==
          "host=db1,db2 sslpassword='***' sslmode=verify-full");
}
