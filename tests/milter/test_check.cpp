// `rua-milter -n` (check_setup): the exact lines and exit codes for a setup
// that cannot work, without a database (the live-database case is in
// check_test.sh).
#include "check.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>

using namespace rua::milter;

namespace {

struct Outcome {
    int status = -1;
    std::string out;
    std::string err;
};

Outcome check(const std::string& text, bool as_root, bool database) {
    const auto config = parse_config(text, "t.conf");
    std::ostringstream out;
    std::ostringstream err;
    Outcome outcome;
    outcome.status = check_setup(*config, as_root, database, out, err);
    outcome.out = out.str();
    outcome.err = err.str();
    return outcome;
}

const std::string k_base = "DatabaseURI postgresql:///rua?host=/nonexistent/rua-check\n"
                           "Socket inet:8893@127.0.0.1\n";

} // namespace

TEST_CASE("-n refuses root without UserID") {
    const auto outcome = check(k_base, true, false);
    CHECK(outcome.status == 78);
    CHECK(outcome.out.empty());
    CHECK(outcome.err == "t.conf: refusing to run as root without UserID\n");
}

TEST_CASE("-n names an unknown UserID, and warns of a missing socket directory") {
    const auto outcome = check("DatabaseURI postgresql:///rua\n"
                               "Socket unix:/nonexistent/rua-check/milter.sock\n"
                               "UserID no-such-user-rua-check\n",
                               true, false);
    CHECK(outcome.status == 78);
    CHECK(outcome.err == "t.conf: warning: Socket: directory /nonexistent/rua-check: No such file "
                         "or directory (it must exist when the daemon starts)\n"
                         "t.conf: UserID: unknown user \"no-such-user-rua-check\"\n");
}

TEST_CASE("-n warns of a missing pid file directory (systemd creates /run/rua-milter)") {
    const auto outcome =
        check(k_base + "PidFile /nonexistent/rua-check/rua-milter.pid\n", false, false);
    CHECK(outcome.status == 0);
    CHECK(outcome.out == "t.conf: configuration OK (database not checked)\n");
    CHECK(outcome.err == "t.conf: warning: PidFile: directory /nonexistent/rua-check: No such "
                         "file or directory (it must exist when the daemon starts)\n");
}

TEST_CASE("-n -N passes a sound file without the database") {
    const auto outcome = check(k_base + "PidFile /tmp/rua-milter.pid\n", false, false);
    CHECK(outcome.status == 0);
    CHECK(outcome.out == "t.conf: configuration OK (database not checked)\n");
    CHECK(outcome.err.empty());
}

TEST_CASE("-n says when the database cannot be reached, and exits 69") {
    // A directory where no server has its socket: the server is down.
    const auto outcome =
        check("DatabaseURI postgresql://rua:s3cret@/rua?host=/proc\nSocket inet:8893@127.0.0.1\n",
              false, true);
    CHECK(outcome.status == 69);
    CHECK(outcome.out.empty());
    const std::string prefix = "t.conf: DatabaseURI postgresql://rua:***@/rua?host=/proc: cannot "
                               "connect: ";
    CHECK(outcome.err.substr(0, prefix.size()) == prefix);
    CHECK(outcome.err.find("s3cret") == std::string::npos);
}

TEST_CASE("-n warns of a MetricsSocket that is not loopback, and not of one that is") {
    auto outcome = check(k_base + "MetricsSocket inet:9893@0.0.0.0\n", false, false);
    CHECK(outcome.status == 0);
    CHECK(outcome.err == "t.conf: warning: MetricsSocket: 0.0.0.0 is not a loopback address: "
                         "/metrics, which has no authentication, is open to every host that can "
                         "reach it\n");
    for (const char* spec :
         {"inet:9893", "inet:9893@127.0.0.2", "inet6:9893", "inet6:9893@[::ffff:127.0.0.1]"}) {
        CAPTURE(spec);
        outcome = check(k_base + "MetricsSocket " + spec + "\n", false, false);
        CHECK(outcome.status == 0);
        CHECK(outcome.err.empty());
    }
    outcome = check(k_base + "MetricsSocket inet6:9893@[::]\n", false, false);
    CHECK(outcome.err.find("MetricsSocket: :: is not a loopback address") != std::string::npos);
}
