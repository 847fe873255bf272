// Hostile, truncated and malformed failure reports: each is refused with a
// finding that says exactly why (never silently ignored, never thrown out of
// scan_message), and every bound holds while the input is read.
#include "failure_util.hpp"

using failure_test::arf;
using failure_test::scan;

namespace {

// The one finding of `raw`, which must be a refusal.
rua::detail::MessageFinding refused(const std::string& raw, const rua::Limits& limits = {}) {
    auto findings = scan(raw, limits);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].report == nullptr);
    return std::move(findings[0]);
}

} // namespace

TEST_CASE("an empty message/feedback-report part is refused") {
    const auto finding = refused(arf(""));
    CHECK(finding.error == "message/feedback-report part is empty");
    CHECK_FALSE(finding.over_limit);
    CHECK(finding.part == 2);
    CHECK(finding.parts == std::vector<int>{1, 2, 3});
    CHECK(finding.format == "arf");
}

TEST_CASE("a truncated multipart/report is refused") {
    auto raw = arf("Feedback-Type: auth-failure\nReported-Domain: s.example\n");
    raw.resize(raw.find("--XX--"));
    CHECK(refused(raw).error == "truncated multipart/report: no closing boundary");
}

TEST_CASE("a feedback part without Feedback-Type, or with a stray line, is refused") {
    CHECK(refused(arf("Reported-Domain: s.example\n")).error ==
          "message/feedback-report part has no Feedback-Type field");
    CHECK(refused(arf("Feedback-Type: auth-failure\nthis is prose\n")).error ==
          "message/feedback-report part: line 2 is not a header field");
    CHECK(refused(arf("  Feedback-Type: auth-failure\n")).error ==
          "message/feedback-report part: line 1 is not a header field");
}

TEST_CASE("a DMARC failure report naming no domain is refused") {
    CHECK(refused(arf("Feedback-Type: auth-failure\n", "Subject: x\n\nbody\n")).error ==
          "failure report names no domain: no Reported-Domain and no From address in the "
          "original");
}

TEST_CASE("a feedback part that is not valid base64 is refused with the decoder's reason") {
    const std::string raw = "Content-Type: multipart/report; report-type=feedback-report; "
                            "boundary=b\n\n--b\nContent-Type: message/feedback-report\n"
                            "Content-Transfer-Encoding: base64\n\nRmVlZGJh!Y2s=\n--b--\n";
    CHECK(refused(raw).error ==
          "message/feedback-report part: invalid base64: unexpected byte 0x21 at offset 8");
}

TEST_CASE("10^5 header fields are refused at the field-count bound") {
    std::string many;
    for (int i = 0; i < 100000; ++i) {
        many += "X-F: v\n";
    }
    const auto in_feedback = refused(arf("Feedback-Type: auth-failure\n" + many));
    CHECK(in_feedback.over_limit);
    CHECK(in_feedback.error == "message/feedback-report part has more than 1000 header fields");
    const auto in_original =
        refused(arf("Feedback-Type: auth-failure\nReported-Domain: s.example\n",
                    "From: a@s.example\n" + many + "\nbody\n"));
    CHECK(in_original.over_limit);
    CHECK(in_original.error == "original message has more than 1000 header fields");
}

TEST_CASE("a 1 MB folded field is refused at the field-size bound") {
    std::string folded = "X-Long: start\n";
    while (folded.size() < (1u << 20)) {
        folded += " more folded text that goes on and on\n";
    }
    const auto finding = refused(arf("Feedback-Type: auth-failure\nReported-Domain: s.example\n",
                                     "From: a@s.example\n" + folded + "\nbody\n"));
    CHECK(finding.over_limit);
    CHECK(finding.error == "original message: header field X-Long exceeds 65536 bytes");
    rua::Limits small;
    small.max_field_bytes = 100;
    CHECK(refused(arf("Feedback-Type: auth-failure\nAuthentication-Results: " +
                      std::string(200, 'a') + "\n"),
                  small)
              .error == "message/feedback-report part: header field Authentication-Results "
                        "exceeds 100 bytes");
}

TEST_CASE("an original message/rfc822 that cannot be decoded is refused") {
    const std::string raw = "Content-Type: multipart/report; report-type=feedback-report; "
                            "boundary=b\n\n--b\nContent-Type: message/feedback-report\n\n"
                            "Feedback-Type: auth-failure\nReported-Domain: s.example\n"
                            "--b\nContent-Type: message/rfc822\n"
                            "Content-Transfer-Encoding: base64\n\n#####\n--b--\n";
    CHECK(refused(raw).error ==
          "original message part: invalid base64: unexpected byte 0x23 at offset 0");
}

TEST_CASE("the original body is kept only up to max_original_body_bytes") {
    rua::Limits limits;
    limits.max_original_body_bytes = 10;
    const auto report =
        failure_test::parse_one(arf("Feedback-Type: auth-failure\nReported-Domain: s.example\n",
                                    "From: a@s.example\n\n" + std::string(100, 'b') + "\n"),
                                limits);
    CHECK(report.original.body_bytes == 101);
    CHECK(report.original.body == std::string(10, 'b'));
}

TEST_CASE("random damage to a report never throws out of scan_message") {
    const auto raw = failure_test::fixture("arf_rfc822.eml");
    for (std::size_t cut = 0; cut < raw.size(); cut += 7) {
        INFO("cut at " << cut);
        std::string damaged = raw.substr(0, cut);
        CHECK_NOTHROW(scan(damaged));
        damaged = raw;
        damaged[cut] = '\n';
        CHECK_NOTHROW(scan(damaged));
    }
}
