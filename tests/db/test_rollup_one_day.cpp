// rua_one_day (sql/0015) must answer exactly what rua_day_split (sql/0013)
// implies: the report's only day when the split gives one day, else NULL.
// Compared in SQL over the edge cases and a sweep of begin/end pairs.
#include "db/db_fixture.hpp"

#include <doctest/doctest.h>

using rua::test::ScratchDb;

TEST_CASE("rua_one_day agrees with rua_day_split on every range tried") {
    ScratchDb db;
    // Begins every 7 minutes over two days; lengths from -1 h to 33 days,
    // around the 1-hour and 31-day edges and the midnight after the begin.
    const std::string compare =
        "WITH b AS (SELECT timestamptz '2024-02-28 00:00:00+00' + make_interval(mins => 7 * i) "
        "AS b FROM generate_series(0, 411) AS i), "
        "l AS (SELECT unnest(ARRAY[interval '-1 hour', interval '0', interval '59 minutes 59 "
        "seconds', interval '1 hour', interval '1 hour 1 second', interval '23 hours 59 minutes "
        "59 seconds', interval '1 day', interval '1 day 1 second', interval '2 days', "
        "interval '30 days 23 hours', interval '31 days', interval '31 days 1 second', "
        "interval '33 days']) AS l), "
        "pairs AS (SELECT b, b + l AS e FROM b CROSS JOIN l) "
        "SELECT count(*) || ' ' || count(*) FILTER (WHERE rua_one_day(b, e) IS NOT DISTINCT FROM "
        "(SELECT CASE WHEN count(*) = 1 THEN min(day) END FROM rua_day_split(4611686018427387904, "
        "b, e))) FROM pairs";
    CHECK(db.scalar(compare) == "5356 5356");
    CHECK(db.scalar("SELECT rua_one_day(timestamptz '2024-02-28 00:00:00+00', "
                    "timestamptz '2024-02-28 23:59:59+00')::text") == "2024-02-28");
    CHECK(db.scalar("SELECT rua_one_day(timestamptz '2024-02-28 00:00:00+00', "
                    "timestamptz '2024-02-29 00:00:00+00')::text") == "2024-02-28");
    CHECK(db.scalar("SELECT coalesce(rua_one_day(timestamptz '2024-02-28 12:00:00+00', "
                    "timestamptz '2024-02-29 12:00:00+00')::text, 'none')") == "none");
}
