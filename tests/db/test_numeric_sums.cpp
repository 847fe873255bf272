// Database tests of sums past 2^63 (issue 8 item 3): each count fits a bigint
// (the parser bounds it by MaxCount), but the views and `ruactl summary`
// add many; their sums are numeric and exact.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>

using rua::test::ScratchDb;

namespace {

constexpr std::uint64_t k_max_bigint = 9223372036854775807ULL;

// One report holding one record of the largest count a bigint holds.
rua::AggregateReport huge_report(const std::string& id) {
    auto report = rua::test::make_report("google.com", id, 0);
    report.records.push_back(rua::test::make_record("192.0.2.1", k_max_bigint, true));
    return report;
}

} // namespace

TEST_CASE("sums of counts past 2^63 are exact in the views and the summary") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    REQUIRE(store.store(rua::test::make_result({huge_report("big-1")}, "one"), {}).stored() == 1);
    REQUIRE(store.store(rua::test::make_result({huge_report("big-2")}, "two"), {}).stored() == 1);
    REQUIRE(db.scalar("SELECT count FROM aggregate_record LIMIT 1") == "9223372036854775807");

    CHECK(db.scalar("SELECT concat_ws('|', messages, pass, fail) FROM v_daily_domain") ==
          "18446744073709551614|18446744073709551614|0");
    CHECK(db.scalar("SELECT concat_ws('|', messages, pass) FROM v_source_summary") ==
          "18446744073709551614|18446744073709551614");
    CHECK(db.scalar("SELECT sum(pass) FROM v_report_summary") == "18446744073709551614");

    rua::Admin admin(pool);
    const auto summary = admin.summary("example.com", std::nullopt, {"aggregate"});
    REQUIRE(summary.tables.size() == 4);
    const auto& total = summary.tables[0];
    REQUIRE(total.rows.size() == 1);
    // key, reports, messages, pass, fail, pass_percent, none, quarantine, reject
    const std::vector<rua::OptString> expected = {
        "total", "2",     "18446744073709551614", "18446744073709551614",
        "0",     "100.0", "18446744073709551614", "0",
        "0"};
    CHECK(total.rows[0] == expected);
    const auto& by_source = summary.tables[2];
    REQUIRE(by_source.rows.size() == 1);
    CHECK(by_source.rows[0][2] == rua::OptString("18446744073709551614"));
    // BY AUTHENTICITY sums as numeric too (the reports are `unknown`).
    const auto& by_authenticity = summary.tables[3];
    REQUIRE(by_authenticity.rows.size() == 4);
    CHECK(by_authenticity.rows[3] ==
          std::vector<rua::OptString>{"unknown", "2", "18446744073709551614"});
}
