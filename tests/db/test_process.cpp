// Database tests of process_message: the verdict path shared by the milter
// and `ruactl import`, from raw bytes to rows, on a scratch database.
#include "db/db_fixture.hpp"

#include <rua/process.hpp>

using rua::test::aggregate_xml;
using rua::test::ScratchDb;
using rua::test::xml_message;

namespace {

rua::Arrival arrival() {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = "ABC123";
    return a;
}

} // namespace

TEST_CASE("process_message stores a report, then calls the same message a duplicate") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const auto raw = xml_message(aggregate_xml("p-1", "example.com"));

    const auto first = rua::process_message(store, raw, rua::Limits{}, arrival(), {});
    CHECK(first.verdict == rua::Verdict::stored);
    CHECK(first.items() == 1);
    CHECK(first.reason.empty());

    const auto second = rua::process_message(store, raw, rua::Limits{}, arrival(), {});
    CHECK(second.verdict == rua::Verdict::duplicate);
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.scalar("SELECT sum(count) FROM aggregate_record") == "4");
    CHECK(db.count("quarantine") == 0);
}

TEST_CASE("process_message quarantines a message without a report, or rejects it when told") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const std::string raw = "From: a@b.example\r\nSubject: hello\r\n\r\njust text\r\n";

    const auto kept = rua::process_message(store, raw, rua::Limits{}, arrival(), {});
    CHECK(kept.verdict == rua::Verdict::quarantined);
    CHECK(kept.quarantine_id > 0);
    CHECK_FALSE(kept.reason.empty());
    CHECK(db.count("quarantine") == 1);
    CHECK(db.scalar("SELECT reason FROM quarantine") == "no_report");

    rua::ProcessOptions reject;
    reject.quarantine_bad = false;
    const auto refused = rua::process_message(store, raw, rua::Limits{}, arrival(), reject);
    CHECK(refused.verdict == rua::Verdict::rejected);
    CHECK(refused.quarantine_id == 0);
    CHECK(db.count("quarantine") == 1);
    CHECK(db.count("aggregate_report") == 0);
}

TEST_CASE("a report for a domain the rua's account does not own is refused as foreign") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    rua::RuaEntry entry{"dmarc@example.net", "acme", true, {"example.com"}};
    rua::ProcessOptions options;
    options.ruas = {entry};

    const auto own =
        rua::process_message(store, xml_message(aggregate_xml("own-1", "mail.example.com")),
                             rua::Limits{}, arrival(), options);
    CHECK(own.verdict == rua::Verdict::stored);

    const auto foreign =
        rua::process_message(store, xml_message(aggregate_xml("foreign-1", "example.org")),
                             rua::Limits{}, arrival(), options);
    CHECK(foreign.verdict == rua::Verdict::quarantined);
    CHECK(foreign.foreign_domain);
    CHECK(foreign.reason ==
          "aggregate report foreign-1 is for domain example.org, which account acme does not "
          "receive reports for");
    CHECK(db.scalar("SELECT reason FROM quarantine") == "foreign_domain");
    CHECK(db.count("aggregate_report") == 1);
}

TEST_CASE("process_message answers try_later when the database cannot be reached") {
    rua::ConnectionPool pool("postgresql:///rua?host=/nonexistent-rua-socket-dir", 1,
                             std::chrono::milliseconds(200));
    rua::Store store(pool);
    const auto result = rua::process_message(
        store, xml_message(aggregate_xml("down-1", "example.com")), rua::Limits{}, arrival(), {});
    CHECK(result.verdict == rua::Verdict::try_later);
    CHECK_FALSE(result.reason.empty());

    const auto bad =
        rua::process_message(store, "not a message at all", rua::Limits{}, arrival(), {});
    CHECK(bad.verdict == rua::Verdict::try_later); // quarantine itself needs the database
}
