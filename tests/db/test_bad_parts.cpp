// Database tests of a bad part beside a good one (issue 8 item 4): the good
// report is stored, the message is kept in the quarantine naming the bad
// part (reason bad_part), ProcessResult::bad_parts says so, and a retried
// message adds neither a report nor a second quarantine row.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/process.hpp>

using rua::test::ScratchDb;

namespace {

const std::string k_good =
    "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Example "
    "Org</org_name><email>dmarc@reporter.example</email><report_id>bp-1</report_id>"
    "<date_range><begin>1700000000</begin><end>1700086399</end></date_range>"
    "</report_metadata><policy_published><domain>example.com</domain><p>none</p>"
    "</policy_published><record><row><source_ip>192.0.2.7</source_ip><count>4</count>"
    "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf>"
    "</policy_evaluated></row><identifiers><header_from>example.com</header_from>"
    "</identifiers><auth_results><spf><domain>example.com</domain><result>pass</result>"
    "</spf></auth_results></record></feedback>\n";

// A report cut short: the XML ends inside report_metadata.
const std::string k_bad = "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Cut";

std::string two_parts() {
    return "From: reporter@reporter.example\r\nTo: dmarc@example.net\r\nSubject: Reports\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
           "--b\r\nContent-Type: text/xml\r\n"
           "Content-Disposition: attachment; filename=\"good.xml\"\r\n\r\n" +
           k_good +
           "\r\n--b\r\nContent-Type: text/xml\r\n"
           "Content-Disposition: attachment; filename=\"bad.xml\"\r\n\r\n" +
           k_bad + "\r\n--b--\r\n";
}

rua::Arrival arrival() {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = "BP1";
    return a;
}

} // namespace

TEST_CASE("a bad part beside a good report: the report stored, the message quarantined") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto raw = two_parts();

    const auto first = rua::process_message(store, raw, rua::Limits{}, arrival(), {});
    CHECK(first.verdict == rua::Verdict::stored);
    REQUIRE(first.bad_parts.size() == 1);
    CHECK(first.bad_parts[0] ==
          "part 2 (text/xml, \"bad.xml\"): malformed XML at line 2, column 41: input ended "
          "before all started tags were ended; last tag started is 'org_name'");
    CHECK(first.quarantine_id > 0);
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.count("quarantine") == 1);
    CHECK(db.scalar("SELECT concat_ws('|', id, reason, detail, queue_id, resolved_at IS NULL) "
                    "FROM quarantine") ==
          std::to_string(first.quarantine_id) + "|bad_part|" + first.bad_parts[0] + "|BP1|t");
    CHECK(db.scalar("SELECT raw = convert_to($$" + raw + "$$, 'UTF8') FROM quarantine") == "t");

    // The sender retries (say our 250 was lost): nothing doubles.
    const auto again = rua::process_message(store, raw, rua::Limits{}, arrival(), {});
    CHECK(again.verdict == rua::Verdict::duplicate);
    CHECK(again.bad_parts == first.bad_parts);
    CHECK(again.quarantine_id == first.quarantine_id);
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.count("quarantine") == 1);

    // Reprocessing keeps the row open: its bad part still fails.
    rua::Admin admin(pool);
    const auto counts = admin.quarantine_reprocess({}, rua::Limits{});
    CHECK(counts.still_failing == 1);
    REQUIRE(counts.messages.size() == 1);
    CHECK(counts.messages[0] == "quarantine " + std::to_string(first.quarantine_id) +
                                    ": bad_part: " + first.bad_parts[0]);
    CHECK(db.scalar("SELECT count(*) FROM quarantine WHERE resolved_at IS NULL") == "1");
}

TEST_CASE("a bad part beside a good report with quarantine off: named, nothing kept") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    rua::ProcessOptions options;
    options.quarantine_bad = false;
    const auto result = rua::process_message(store, two_parts(), rua::Limits{}, arrival(), options);
    CHECK(result.verdict == rua::Verdict::stored);
    CHECK(result.bad_parts.size() == 1);
    CHECK(result.quarantine_id == 0);
    CHECK(db.count("quarantine") == 0);
}
