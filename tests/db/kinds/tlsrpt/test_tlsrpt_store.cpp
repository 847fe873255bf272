// Storing SMTP TLS reports (sql/0006_tlsrpt.sql) through Store::store and
// the tlsrpt writer: the exact rows of the three tables, exactly once per
// (organization_name, report_id) (duplicate, conflict, two racing
// processes), the NUL-byte refusal, cascading deletes and the summary.
#include "db/db_fixture.hpp"
#include "kinds/writer.hpp"

#include <rua/errors.hpp>
#include <rua/ingest.hpp>
#include <rua/kinds/tlsrpt.hpp>

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using rua::ReportOutcome;
using Rows = std::vector<std::vector<rua::OptString>>;

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(RUA_SOURCE_DIR) + "/tests/fixtures/tlsrpt/" + name,
                     std::ios::binary);
    REQUIRE(in.is_open());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

rua::Arrival import_arrival() {
    rua::Arrival arrival;
    arrival.via = "import";
    arrival.file = "rfc8460-example.json";
    return arrival;
}

// The RFC 8460 example as ingest reads it (the raw attachment included).
rua::IngestResult rfc_example() {
    rua::IngestResult result =
        rua::ingest(fixture("rfc8460-example.json"), rua::Limits{}, "rfc8460-example.json");
    REQUIRE(result.reports.size() == 1);
    REQUIRE(result.reports[0]->kind() == "tlsrpt");
    return result;
}

rua::TlsReport& tls(rua::IngestResult& result) {
    return dynamic_cast<rua::TlsReport&>(*result.reports.at(0));
}

rua::TlsFailureDetail failure(const std::string& type, const std::string& mx,
                              std::uint64_t sessions) {
    rua::TlsFailureDetail f;
    f.result_type = type;
    f.sending_mta_ip = rua::IpAddress::parse("192.0.2.7");
    f.receiving_mx_hostname = mx;
    f.failed_session_count = sessions;
    return f;
}

rua::TlsPolicy policy(const std::string& domain, const std::string& type, std::uint64_t ok,
                      std::uint64_t failed, std::vector<rua::TlsFailureDetail> failures = {}) {
    rua::TlsPolicy p;
    p.policy_type = type;
    p.policy_domain = domain;
    p.successful = ok;
    p.failed = failed;
    p.failure_details = std::move(failures);
    return p;
}

rua::ReportPtr report(const std::string& org, const std::string& id, std::int64_t end,
                      std::vector<rua::TlsPolicy> policies) {
    auto r = std::make_unique<rua::TlsReport>();
    r->organization_name = org;
    r->report_id = id;
    r->begin = end - 86399;
    r->end = end;
    r->policies = std::move(policies);
    return r;
}

rua::MessageOutcome store(const std::string& url, const rua::IngestResult& result) {
    rua::ConnectionPool pool(url, 1);
    rua::Store store(pool);
    return store.store(result, import_arrival());
}

Rows cells(const rua::SummaryTable& table) {
    return table.rows;
}

std::vector<rua::OptString> row(std::initializer_list<const char*> values) {
    std::vector<rua::OptString> out;
    for (const char* v : values) {
        out.push_back(v == nullptr ? rua::OptString() : rua::OptString(v));
    }
    return out;
}

} // namespace

TEST_CASE("tlsrpt store: a report writes exactly its rows in the three tables") {
    rua::test::ScratchDb db;
    const auto outcome = store(db.url(), rfc_example());
    REQUIRE(outcome.reports.size() == 1);
    CHECK(outcome.reports[0].outcome == ReportOutcome::stored);
    CHECK(outcome.items_stored == 1);
    const std::string id = std::to_string(outcome.reports[0].id);
    CHECK(db.count("tlsrpt_report") == 1);
    CHECK(db.count("tlsrpt_policy") == 1);
    CHECK(db.count("tlsrpt_failure") == 3);
    CHECK(db.count("raw_report") == 1);
    CHECK(db.scalar("SELECT concat_ws('|', organization_name, report_id, contact_info, "
                    "extract(epoch FROM date_begin)::bigint, extract(epoch FROM date_end)::bigint, "
                    "policy_count, warnings::text, via, coalesce(rua, '-'), file, "
                    "raw_sha256 = (SELECT sha256 FROM raw_report WHERE id = raw_report_id), "
                    "length(fingerprint)) FROM tlsrpt_report WHERE id = " +
                    id) ==
          "Company-X|5065427c-23d3-47ca-b6e0-946ea0e8c4be|sts-reporting@company-x.example|"
          "1459468800|1459555199|1|{\"policy 1: mx-host is a string, not a list\"}|import|-|"
          "rfc8460-example.json|t|32");
    CHECK(db.scalar("SELECT concat_ws('|', report_id, ordinal, policy_type, policy_string::text, "
                    "policy_domain, mx_host::text, successful, failed) FROM tlsrpt_policy") ==
          id + "|0|sts|{\"version: STSv1\",\"mode: testing\",\"mx: *.mail.company-y.example\","
               "\"max_age: 86400\"}|company-y.example|{*.mail.company-y.example}|5326|303");
    CHECK(db.scalar("SELECT string_agg(concat_ws('|', report_id = " + id +
                    ", policy_ordinal, ordinal, result_type, coalesce(host(sending_mta_ip), '-'), "
                    "receiving_mx_hostname, coalesce(receiving_mx_helo, '-'), "
                    "coalesce(host(receiving_ip), '-'), failed_session_count, "
                    "coalesce(additional_information, '-'), coalesce(failure_reason_code, '-')), "
                    "E'\\n' ORDER BY ordinal) FROM tlsrpt_failure") ==
          "t|0|0|certificate-expired|2001:db8:abcd:12::1|mx1.mail.company-y.example|-|-|100|-|-\n"
          "t|0|1|starttls-not-supported|2001:db8:abcd:13::1|mx2.mail.company-y.example|-|"
          "203.0.113.56|200|https://reports.company-x.example/report_info?id=5065427c-23d3#"
          "StarttlsNotSupported|-\n"
          "t|0|2|validation-failure|198.51.100.62|mx-backup.mail.company-y.example|-|"
          "203.0.113.58|3|-|X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
}

TEST_CASE("tlsrpt store: the same report again is a duplicate") {
    rua::test::ScratchDb db;
    const auto first = store(db.url(), rfc_example());
    REQUIRE(first.reports.at(0).outcome == ReportOutcome::stored);
    const auto again = store(db.url(), rfc_example());
    REQUIRE(again.reports.size() == 1);
    CHECK(again.reports[0].outcome == ReportOutcome::duplicate);
    CHECK(again.reports[0].id == first.reports[0].id);
    CHECK(again.items_stored == 0);
    CHECK(db.count("tlsrpt_report") == 1);
    CHECK(db.count("tlsrpt_policy") == 1);
    CHECK(db.count("tlsrpt_failure") == 3);
    CHECK(db.count("raw_report") == 1);
}

TEST_CASE("tlsrpt store: the same key with other content is a conflict") {
    rua::test::ScratchDb db;
    const auto first = store(db.url(), rfc_example());
    REQUIRE(first.reports.at(0).outcome == ReportOutcome::stored);
    rua::IngestResult changed = rfc_example();
    tls(changed).policies[0].failure_details[2].failed_session_count = 4;
    const auto second = store(db.url(), changed);
    CHECK(second.reports.at(0).outcome == ReportOutcome::conflict);
    CHECK(second.reports.at(0).id == first.reports[0].id);
    CHECK(db.count("tlsrpt_report") == 1);
    CHECK(db.count("tlsrpt_failure") == 3);
    CHECK(db.scalar("SELECT sum(failed_session_count) FROM tlsrpt_failure") == "303");
}

TEST_CASE("tlsrpt store: warnings and arrival do not make a conflict") {
    rua::test::ScratchDb db;
    REQUIRE(store(db.url(), rfc_example()).reports.at(0).outcome == ReportOutcome::stored);
    rua::IngestResult again = rfc_example();
    tls(again).warnings.clear();
    tls(again).source.file = "elsewhere.json";
    CHECK(store(db.url(), again).reports.at(0).outcome == ReportOutcome::duplicate);
}

TEST_CASE("tlsrpt store: two processes racing store the report exactly once") {
    rua::test::ScratchDb db;
    const rua::IngestResult message = rfc_example();
    int gate[2];
    REQUIRE(::pipe(gate) == 0);
    pid_t children[2] = {-1, -1};
    for (auto& child : children) {
        child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(gate[1]);
            char byte = 0;
            (void)!::read(gate[0], &byte, 1); // returns when the parent closes the gate
            int code = 3;
            try {
                const auto outcome = store(db.url(), message);
                code = outcome.reports.at(0).outcome == ReportOutcome::stored      ? 0
                       : outcome.reports.at(0).outcome == ReportOutcome::duplicate ? 1
                                                                                   : 2;
            } catch (...) {
                code = 4;
            }
            ::_exit(code);
        }
    }
    ::close(gate[0]);
    ::close(gate[1]); // both children start now
    int codes[2] = {-1, -1};
    for (int i = 0; i < 2; ++i) {
        int status = 0;
        REQUIRE(::waitpid(children[i], &status, 0) == children[i]);
        REQUIRE(WIFEXITED(status));
        codes[i] = WEXITSTATUS(status);
    }
    CHECK(codes[0] + codes[1] == 1); // one stored (0), one duplicate (1)
    CHECK(codes[0] * codes[1] == 0);
    CHECK(db.count("tlsrpt_report") == 1);
    CHECK(db.count("tlsrpt_policy") == 1);
    CHECK(db.count("tlsrpt_failure") == 3);
    CHECK(db.count("raw_report") == 1);
}

TEST_CASE("tlsrpt store: a NUL byte is refused before anything is written") {
    rua::test::ScratchDb db;
    const std::string json =
        R"({"organization-name":"X","report-id":"nul",)"
        R"("date-range":{"start-datetime":"2024-01-09T00:00:00Z",)"
        R"("end-datetime":"2024-01-09T23:59:59Z"},"contact-info":"c@x",)"
        R"("policies":[{"policy":{"policy-type":"sts",)"
        R"("policy-domain":"example.com"},"summary":{)"
        R"("total-successful-session-count":0,"total-failure-session-count":1},)"
        R"("failure-details":[{"result-type":"validation-failure",)"
        R"("sending-mta-ip":"192.0.2.1","failed-session-count":1,)"
        R"("failure-reason-code":"bad\u0000code"}]}]})";
    const rua::IngestResult result = rua::ingest(json, rua::Limits{}, "nul.json");
    REQUIRE(result.reports.size() == 1);
    CHECK_THROWS_WITH_AS(store(db.url(), result),
                         "database refused the report: NUL byte in failure_reason_code",
                         rua::BadInput);
    CHECK(db.count("tlsrpt_report") == 0);
    CHECK(db.count("raw_report") == 0);
}

TEST_CASE("tlsrpt store: deleting a report deletes its policies and failure details") {
    rua::test::ScratchDb db;
    REQUIRE(store(db.url(), rfc_example()).reports.at(0).outcome == ReportOutcome::stored);
    db.exec("DELETE FROM raw_report");
    CHECK(db.scalar("SELECT raw_report_id IS NULL FROM tlsrpt_report") == "t");
    db.exec("DELETE FROM tlsrpt_report");
    CHECK(db.count("tlsrpt_policy") == 0);
    CHECK(db.count("tlsrpt_failure") == 0);
}

TEST_CASE("tlsrpt store: the summary of one domain gives exact session counts") {
    rua::test::ScratchDb db;
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    std::vector<rua::ReportPtr> reports;
    reports.push_back(report("Google Inc.", "a", now - 60,
                             {policy("example.com", "sts", 100, 5,
                                     {failure("starttls-not-supported", "mx1.example.com", 3),
                                      failure("certificate-expired", "mx2.example.com", 2)}),
                              policy("other.example", "sts", 50, 9,
                                     {failure("dane-required", "mx.other.example", 9)})}));
    reports.push_back(report("Microsoft Corporation", "b", now - 3600,
                             {policy("Example.COM", "sts", 20, 1,
                                     {failure("starttls-not-supported", "mx1.example.com", 1)}),
                              policy("example.com", "no-policy-found", 7, 0)}));
    reports.push_back(report("Old Sender", "c", 1459555199, // 2016
                             {policy("example.com", "sts", 1000, 10,
                                     {failure("validation-failure", "mx3.example.com", 10)})}));
    const auto outcome = store(db.url(), rua::test::make_result_of(std::move(reports)));
    REQUIRE(outcome.stored() == 3);

    const auto& writer = rua::detail::writer_for("tlsrpt");
    pqxx::work tx(db.conn());
    const auto all = writer.summary(tx, "example.com", std::nullopt);
    REQUIRE(all.size() == 2);
    CHECK(all[0].kind == "tlsrpt");
    CHECK(all[0].name == "sessions");
    CHECK(all[0].columns == std::vector<std::string>{"policy_domain", "policy_type", "reports",
                                                     "successful", "failed"});
    CHECK(cells(all[0]) == Rows{row({"example.com", "no-policy-found", "1", "7", "0"}),
                                row({"example.com", "sts", "3", "1120", "16"})});
    CHECK(all[1].name == "failures");
    CHECK(all[1].columns ==
          std::vector<std::string>{"result_type", "receiving_mx_hostname", "sessions"});
    CHECK(cells(all[1]) == Rows{row({"validation-failure", "mx3.example.com", "10"}),
                                row({"starttls-not-supported", "mx1.example.com", "4"}),
                                row({"certificate-expired", "mx2.example.com", "2"})});

    const auto recent = writer.summary(tx, "example.com", 30 * 86400);
    CHECK(cells(recent[0]) == Rows{row({"example.com", "no-policy-found", "1", "7", "0"}),
                                   row({"example.com", "sts", "2", "120", "6"})});
    CHECK(cells(recent[1]) == Rows{row({"starttls-not-supported", "mx1.example.com", "4"}),
                                   row({"certificate-expired", "mx2.example.com", "2"})});

    const auto none = writer.summary(tx, "nothing.example", std::nullopt);
    CHECK(none[0].rows.empty());
    CHECK(none[1].rows.empty());
}
