// The doctest main of rua_db_tests: the database tests that need the private
// PostgreSQL server (ctest fixture `pg`, or tests/pg/start.sh by hand). Holds
// no tests of its own.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

// libpqxx 6.4 leaks the PGresult of a statement that fails because the server
// died under it (transaction_base::direct_exec throws before wrapping it;
// without frame pointers in libpq the stack names only the module).
// test_z_outage provokes exactly that; nothing of ours is hidden by this.
extern "C" const char* __lsan_default_suppressions() {
    return "leak:libpqxx-6.4.so\n";
}
