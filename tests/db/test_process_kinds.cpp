// Database tests of process_message across report kinds: several kinds in
// one message, a report that parses but must never be stored (ARF abuse),
// and the privacy of what the quarantine keeps of a failure report, then
// `quarantine reprocess` through the same decision path.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/process.hpp>

using rua::test::ScratchDb;

namespace {

const std::string k_aggregate =
    "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Agg Org</org_name>"
    "<email>dmarc@agg.example</email><report_id>kinds-agg-1</report_id><date_range>"
    "<begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>"
    "<policy_published><domain>example.net</domain><p>none</p></policy_published><record><row>"
    "<source_ip>192.0.2.7</source_ip><count>4</count><policy_evaluated><disposition>none"
    "</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers>"
    "<header_from>example.net</header_from></identifiers><auth_results><spf><domain>"
    "example.net</domain><result>pass</result></spf></auth_results></record></feedback>\n";

const std::string k_tls =
    "{\"organization-name\":\"TLS Org\",\"date-range\":{\"start-datetime\":"
    "\"2026-11-01T00:00:00Z\",\"end-datetime\":\"2026-11-01T23:59:59Z\"},\"contact-info\":"
    "\"tls@tls.example\",\"report-id\":\"kinds-tls-1\",\"policies\":[{\"policy\":{"
    "\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\"],\"policy-domain\":"
    "\"example.net\",\"mx-host\":[\"mx.example.net\"]},\"summary\":{"
    "\"total-successful-session-count\":40,\"total-failure-session-count\":2},"
    "\"failure-details\":[{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
    "\"198.51.100.7\",\"failed-session-count\":2}]}]}";

// An ARF report about `domain` whose original says something private.
std::string arf(const std::string& feedback_type, const std::string& domain) {
    return "From: ruf@receiver.example\r\nTo: dmarc@example.net\r\nSubject: report\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
           "report-type=feedback-report; boundary=\"b1\"\r\n\r\n"
           "--b1\r\nContent-Type: text/plain\r\n\r\nA failure report.\r\n"
           "--b1\r\nContent-Type: message/feedback-report\r\n\r\n"
           "Feedback-Type: " +
           feedback_type +
           "\r\nUser-Agent: Test/1\r\nVersion: 1\r\n"
           "Original-Mail-From: <john.doe@" +
           domain +
           ">\r\nArrival-Date: Sun, 01 Nov 2026 10:00:00 +0000\r\n"
           "Source-IP: 192.0.2.1\r\nReported-Domain: " +
           domain +
           "\r\nAuth-Failure: dmarc\r\n\r\n"
           "--b1\r\nContent-Type: message/rfc822\r\n\r\n"
           "From: John Doe <john.doe@" +
           domain +
           ">\r\nTo: alice@receiver.example\r\nSubject: Secret plans\r\n"
           "Message-ID: <orig-1@" +
           domain + ">\r\n\r\nThe private body text.\r\n\r\n--b1--\r\n";
}

rua::Arrival arrival() {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = "KINDS1";
    return a;
}

rua::RuaEntry entry(std::vector<std::string> domains) {
    return rua::RuaEntry{"dmarc@example.net", "acme", true, std::move(domains)};
}

} // namespace

TEST_CASE("one message with an aggregate, a TLS and a forwarded failure report stores all three") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const std::string raw =
        "From: collector@example.org\r\nTo: dmarc@example.net\r\nSubject: three kinds\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
        "--m\r\nContent-Type: text/xml\r\nContent-Disposition: attachment; filename=\"a.xml\"\r\n"
        "\r\n" +
        k_aggregate + "\r\n--m\r\nContent-Type: application/tlsrpt+json\r\n\r\n" + k_tls +
        "\r\n--m\r\nContent-Type: message/rfc822\r\n\r\n" + arf("auth-failure", "example.net") +
        "\r\n--m--\r\n";
    const auto rua = entry({"example.net"});
    rua::ProcessOptions options;
    options.ruas = {rua};
    const auto result = rua::process_message(store, raw, rua::Limits{}, arrival(), options);
    REQUIRE(result.verdict == rua::Verdict::stored);
    REQUIRE(result.outcome.reports.size() == 3);
    CHECK(result.outcome.stored() == 3);
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.count("tlsrpt_report") == 1);
    CHECK(db.count("failure_report") == 1);
    CHECK(db.scalar("SELECT successful || '/' || failed FROM tlsrpt_policy") == "40/2");
    CHECK(db.scalar("SELECT original_mail_from FROM failure_report") == "j***@example.net");
    CHECK(db.scalar("SELECT privacy FROM failure_report") == "redacted");
    // No raw copy anywhere holds the original's subject or body.
    CHECK(db.scalar("SELECT count(*) FROM raw_report WHERE position('Secret plans'::bytea IN "
                    "data) > 0 OR position('private body'::bytea IN data) > 0") == "0");
    CHECK(db.count("quarantine") == 0);

    const auto again = rua::process_message(store, raw, rua::Limits{}, arrival(), options);
    CHECK(again.verdict == rua::Verdict::duplicate);
    CHECK(db.count("failure_report") == 1);
    CHECK(db.count("tlsrpt_report") == 1);
}

TEST_CASE("an ARF abuse report is quarantined, never rejected, as its redacted form") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    rua::ProcessOptions options;
    options.quarantine_bad = false; // OnBadReport reject
    const auto result =
        rua::process_message(store, arf("abuse", "example.net"), rua::Limits{}, arrival(), options);
    CHECK(result.verdict == rua::Verdict::quarantined);
    CHECK(result.reason_code == "not_dmarc_failure");
    CHECK(db.count("failure_report") == 0);
    CHECK(db.scalar("SELECT reason FROM quarantine") == "not_dmarc_failure");
    CHECK(db.scalar("SELECT (position('private body'::bytea IN raw) = 0 AND position('Secret "
                    "plans'::bytea IN raw) = 0 AND position('john.doe@'::bytea IN raw) = 0)::text "
                    "FROM quarantine") == "true");
}

TEST_CASE("a failure report for a foreign domain is kept redacted and reprocess stores it later") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    rua::Admin admin(pool);
    admin.add_account("acme");
    admin.add_domain("other.example", "acme");
    admin.add_rua("dmarc@example.net", "acme", {});
    const auto registry = store.load_registry();
    rua::ProcessOptions options;
    const rua::RuaEntry* found = registry.find("dmarc@example.net");
    REQUIRE(found != nullptr);
    options.ruas = {*found};
    const auto result = rua::process_message(store, arf("auth-failure", "example.net"),
                                             rua::Limits{}, arrival(), options);
    CHECK(result.verdict == rua::Verdict::quarantined);
    CHECK(result.reason_code == "foreign_domain");
    CHECK(db.scalar("SELECT (position('private body'::bytea IN raw) = 0 AND position('Secret "
                    "plans'::bytea IN raw) = 0)::text FROM quarantine") == "true");

    const auto still = admin.quarantine_reprocess({}, rua::Limits{});
    CHECK(still.still_failing == 1);
    REQUIRE(still.messages.size() == 1);
    CHECK(still.messages[0].find("foreign_domain: failure report ") != std::string::npos);
    CHECK(db.count("quarantine") == 1); // the same row, not a second one

    admin.add_domain("example.net", "acme");
    const auto counts = admin.quarantine_reprocess({}, rua::Limits{});
    CHECK(counts.stored == 1);
    CHECK(counts.still_failing == 0);
    CHECK(db.count("failure_report") == 1);
    CHECK(db.scalar("SELECT reported_domain FROM failure_report") == "example.net");
    CHECK(db.scalar("SELECT resolved_at IS NOT NULL FROM quarantine") == "t");
}
