// The failure kind's store half against a scratch database: the exact
// failure_report row under each Privacy, the raw archive that follows the
// same setting, exactly once (again, re-encoded, two racing processes), NUL
// bytes refused and the `ruactl summary` tables.
#include "db/db_fixture.hpp"
#include "kinds/writer.hpp"
#include "sha256.hpp"
#include "text.hpp"
#include "unit/kinds/failure/failure_util.hpp"

#include <rua/errors.hpp>
#include <rua/ingest.hpp>
#include <rua/store.hpp>

#include <sys/wait.h>
#include <unistd.h>

using failure_test::fixture;
using rua::Privacy;
using rua::ReportOutcome;

namespace {

rua::Arrival import_of(const std::string& file) {
    rua::Arrival arrival;
    arrival.via = "import";
    arrival.file = file;
    return arrival;
}

rua::MessageOutcome store(rua::test::ScratchDb& db, const std::string& raw,
                          Privacy privacy = Privacy::redacted) {
    rua::ConnectionPool pool(db.url(), 1);
    const auto result = rua::ingest(raw, rua::Limits{}, "t");
    REQUIRE(result.reports.size() == 1);
    return rua::Store(pool).store(result, import_of("t.eml"), privacy);
}

// The columns that differ between the privacy settings, one line.
constexpr const char* k_private_columns =
    "SELECT concat_ws(' | ', original_mail_from, array_to_string(original_rcpt_to, ','), "
    "array_to_string(authentication_results, ','), original_from, "
    "array_to_string(original_to, ','), coalesce(original_subject, 'NULL'), "
    "original_subject_sha256, original_subject_length, "
    "coalesce(encode(original_body, 'escape'), 'NULL'), privacy) FROM failure_report";

constexpr const char* k_common_columns =
    "SELECT concat_ws(' | ', format, feedback_type, user_agent, version, "
    "extract(epoch FROM arrival_date)::bigint, host(source_ip), reported_domain, reporting_mta, "
    "array_to_string(auth_failure, ','), delivery_result, array_to_string(identity_alignment, "
    "','), dkim_domain, dkim_identity, dkim_selector, coalesce(spf_dns, 'NULL'), "
    "original_message_id, extract(epoch FROM original_date)::bigint, original_headers_only, "
    "original_body_bytes, domain, via, file, encode(fingerprint, 'hex'), "
    "cardinality(warnings)) FROM failure_report";

std::string subject_hash() {
    return rua::detail::sha256_hex("Café meeting on Friday");
}

bool raw_contains(rua::test::ScratchDb& db, const std::string& text) {
    return db.scalar("SELECT position(convert_to('" + text +
                     "', 'UTF8') IN r.data) > 0 FROM failure_report f JOIN raw_report r ON "
                     "r.id = f.raw_report_id") == "t";
}

} // namespace

TEST_CASE("failure store: redacted keeps masked values, the Subject hash and no body") {
    rua::test::ScratchDb db;
    const auto raw = fixture("arf_rfc822.eml");
    const auto outcome = store(db, raw);
    REQUIRE(outcome.reports.size() == 1);
    CHECK(outcome.reports[0].outcome == ReportOutcome::stored);
    const auto key =
        rua::detail::hex(rua::detail::sha256(failure_test::parse_one(raw).fingerprint()));
    CHECK(db.scalar(k_common_columns) ==
          "arf | auth-failure | ExampleFilter/2.1 | 1 | 1658210268 | 192.0.2.2 | sender.example | "
          "mx1.receiver.example | dmarc | reject | dkim | sender.example | @sender.example | "
          "s2022 | NULL | msg-42@sender.example | 1658210260 | f | 33 | sender.example | "
          "import | t.eml | " +
              key + " | 0");
    CHECK(db.scalar(k_private_columns) ==
          "b***@forwarder.example | a***@receiver.example,b***@receiver.example | "
          "receiver.example; dmarc=fail (p=reject) header.from=sender.example; spf=pass "
          "smtp.mailfrom=b***@forwarder.example | j***@sender.example | "
          "a***@receiver.example,b***@receiver.example | NULL | " +
              subject_hash() + " | 23 | NULL | redacted");
    CHECK(db.scalar("SELECT position('john' IN original_headers) FROM failure_report") == "0");
    CHECK(db.scalar("SELECT position('Subject: [redacted: sha256 " + subject_hash().substr(0, 16) +
                    " length 23]' IN original_headers) > 0 FROM failure_report") == "t");
    // The archive is the private form, not the message.
    CHECK(db.scalar("SELECT r.format FROM failure_report f JOIN raw_report r "
                    "ON r.id = f.raw_report_id") == "arf");
    CHECK_FALSE(raw_contains(db, "john"));
    CHECK_FALSE(raw_contains(db, "Hello Alice"));
    CHECK(raw_contains(db, "j***@sender.example"));
}

TEST_CASE("failure store: headers keeps values unmasked, no body; full keeps the body") {
    const auto raw = fixture("arf_rfc822.eml");
    {
        rua::test::ScratchDb db;
        store(db, raw, Privacy::headers);
        CHECK(db.scalar(k_private_columns) ==
              "bounce@forwarder.example | alice@receiver.example,bob@receiver.example | "
              "receiver.example; dmarc=fail (p=reject) header.from=sender.example; spf=pass "
              "smtp.mailfrom=bounce@forwarder.example | john@sender.example | "
              "alice@receiver.example,bob@receiver.example | Café meeting on Friday | " +
                  subject_hash() + " | 23 | NULL | headers");
        CHECK(raw_contains(db, "john@sender.example"));
        CHECK_FALSE(raw_contains(db, "Hello Alice"));
    }
    {
        rua::test::ScratchDb db;
        store(db, raw, Privacy::full);
        CHECK(db.scalar(k_private_columns) ==
              "bounce@forwarder.example | alice@receiver.example,bob@receiver.example | "
              "receiver.example; dmarc=fail (p=reject) header.from=sender.example; spf=pass "
              "smtp.mailfrom=bounce@forwarder.example | john@sender.example | "
              "alice@receiver.example,bob@receiver.example | Café meeting on Friday | " +
                  subject_hash() + " | 23 | Hello Alice, see you on Friday.\r\n | full");
        // Under full the archive is the report entity as received.
        CHECK(db.scalar("SELECT r.data = convert_to(" + db.conn().quote(raw) +
                        ", 'UTF8') FROM failure_report f JOIN raw_report r "
                        "ON r.id = f.raw_report_id") == "t");
    }
}

TEST_CASE("failure store: the same report again, or re-encoded, is a duplicate") {
    rua::test::ScratchDb db;
    const auto raw = fixture("arf_rfc822.eml");
    const auto first = store(db, raw);
    REQUIRE(first.reports[0].outcome == ReportOutcome::stored);
    const auto again = store(db, raw);
    CHECK(again.reports[0].outcome == ReportOutcome::duplicate);
    CHECK(again.reports[0].id == first.reports[0].id);
    // LF line endings and a base64-encoded original: other bytes, same content.
    std::string encoded = failure_test::with_lf(raw);
    const auto start = encoded.find("Content-Type: message/rfc822\n\n");
    const auto body = start + std::string("Content-Type: message/rfc822\n\n").size();
    const auto end = encoded.find("\n--==arf-1==--");
    const std::string message = encoded.substr(body, end - body);
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string b64;
    for (std::size_t i = 0; i < message.size(); i += 3) {
        unsigned n = static_cast<unsigned char>(message[i]) << 16;
        n |= i + 1 < message.size() ? static_cast<unsigned char>(message[i + 1]) << 8 : 0;
        n |= i + 2 < message.size() ? static_cast<unsigned char>(message[i + 2]) : 0;
        b64 += k_alphabet[(n >> 18) & 63];
        b64 += k_alphabet[(n >> 12) & 63];
        b64 += i + 1 < message.size() ? k_alphabet[(n >> 6) & 63] : '=';
        b64 += i + 2 < message.size() ? k_alphabet[n & 63] : '=';
    }
    encoded = encoded.substr(0, start) +
              "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" + b64 +
              encoded.substr(end);
    const auto re_encoded = store(db, encoded, Privacy::full);
    CHECK(re_encoded.reports[0].outcome == ReportOutcome::duplicate);
    CHECK(re_encoded.reports[0].id == first.reports[0].id);
    CHECK(db.count("failure_report") == 1);
    CHECK(db.count("raw_report") == 1);
}

TEST_CASE("failure store: two processes racing store the report exactly once") {
    rua::test::ScratchDb db;
    const auto raw = fixture("arf_headers.eml");
    const auto result = rua::ingest(raw, rua::Limits{}, "t");
    REQUIRE(result.reports.size() == 1);
    const auto run = [&]() {
        rua::ConnectionPool pool(db.url(), 1);
        return rua::Store(pool).store(result, import_of("race")).reports.at(0).outcome;
    };
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int code = 3;
        try {
            code = run() == ReportOutcome::stored ? 0 : 1;
        } catch (...) {
            code = 2;
        }
        _exit(code);
    }
    const auto mine = run();
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    const int theirs = WEXITSTATUS(status);
    CHECK(theirs != 2);
    CHECK((mine == ReportOutcome::stored) != (theirs == 0)); // exactly one stored
    CHECK(db.count("failure_report") == 1);
}

TEST_CASE("failure store: a NUL byte is refused before any I/O") {
    rua::test::ScratchDb db;
    auto raw = fixture("arf_headers.eml");
    raw.replace(raw.find("Subject: Quarterly"), 18, std::string("Subject: Quar\0erly", 18));
    rua::ConnectionPool pool(db.url(), 1);
    const auto result = rua::ingest(raw, rua::Limits{}, "t");
    REQUIRE(result.reports.size() == 1);
    CHECK_THROWS_WITH_AS(rua::Store(pool).store(result, import_of("nul")),
                         "database refused the report: NUL byte in original_subject",
                         rua::BadInput);
    CHECK(db.count("failure_report") == 0);
}

TEST_CASE("failure summary: reports by source address and by auth failure type") {
    rua::test::ScratchDb db;
    const auto report = [](const std::string& ip, const std::string& failures,
                           const std::string& date, const std::string& id) {
        return failure_test::arf("Feedback-Type: auth-failure\nReported-Domain: Sender.Example\n"
                                 "Source-IP: " +
                                     ip + "\nAuth-Failure: " + failures + "\n" + date,
                                 "From: a@sender.example\nMessage-ID: <" + id +
                                     "@sender.example>\n\nBody.\n");
    };
    store(db, report("192.0.2.1", "dmarc", "Arrival-Date: 1 Mar 2024 10:00:00 +0000\n", "a"));
    store(db, report("192.0.2.1", "dmarc, spf", "Arrival-Date: 2 Mar 2024 12:30:00 +0000\n", "b"));
    store(db, report("198.51.100.9", "dkim", "", "c")); // no Arrival-Date: received now
    store(db, failure_test::arf("Feedback-Type: auth-failure\nReported-Domain: other.example\n"));
    pqxx::work tx(db.conn());
    const auto& writer = rua::detail::writer_for("failure");
    const auto tables = writer.summary(tx, "sender.example", std::nullopt);
    REQUIRE(tables.size() == 2);
    const auto& by_source = tables[0];
    CHECK(by_source.kind == "failure");
    CHECK(by_source.name == "by_source");
    CHECK(by_source.columns ==
          std::vector<std::string>{"source_ip", "reports", "first_seen", "last_seen"});
    CHECK(by_source.numeric == std::vector<bool>{false, true, false, false});
    REQUIRE(by_source.rows.size() == 2);
    CHECK(by_source.rows[0] == std::vector<rua::OptString>{"192.0.2.1", "2", "2024-03-01T10:00:00Z",
                                                           "2024-03-02T12:30:00Z"});
    CHECK(by_source.rows[1][0] == "198.51.100.9");
    CHECK(by_source.rows[1][1] == "1");
    const auto& by_failure = tables[1];
    CHECK(by_failure.name == "by_auth_failure");
    CHECK(by_failure.columns == std::vector<std::string>{"auth_failure", "reports"});
    CHECK(by_failure.rows ==
          std::vector<std::vector<rua::OptString>>{{"dmarc", "2"}, {"dkim", "1"}, {"spf", "1"}});
    // Within the last hour only the report received now counts.
    const auto recent = writer.summary(tx, "sender.example", 3600);
    REQUIRE(recent[0].rows.size() == 1);
    CHECK(recent[0].rows[0][0] == "198.51.100.9");
    CHECK(recent[1].rows == std::vector<std::vector<rua::OptString>>{{"dkim", "1"}});
}
