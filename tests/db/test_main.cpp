// The doctest main of rua_db_tests: the database tests that need the private
// PostgreSQL server (ctest fixture `pg`, or tests/pg/start.sh by hand). Holds
// no tests of its own.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
