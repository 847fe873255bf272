// The callbacks, driven through the fake MilterApi and Backend: which
// recipients are ours, what is buffered, and which SMTP reply each
// verdict of process_message turns into.
#include "fakes.hpp"
#include "filter.hpp"
#include "log.hpp"

#include <rua/kinds/aggregate.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace rua;
using namespace rua::milter;
using rua::milter::test::FakeApi;
using rua::milter::test::FakeBackend;

namespace {

Config base_config() {
    Config config;
    config.file = "test.conf";
    config.database_uri = "postgresql:///unused";
    config.report_domains = {"example.net"};
    return config;
}

std::shared_ptr<const Registry> sample_registry() {
    RuaEntry dmarc{"dmarc@example.net", "acme", true, {"example.com"}};
    RuaEntry old{"old@example.net", "acme", false, {}};
    RuaEntry elsewhere{"reports@elsewhere.org", "other", true, {}};
    return std::make_shared<const Registry>(std::vector<RuaEntry>{dmarc, old, elsewhere});
}

ProcessResult result_with(Verdict verdict, std::size_t reports, std::size_t records_each) {
    ProcessResult result;
    result.verdict = verdict;
    for (std::size_t i = 0; i < reports; ++i) {
        auto report = std::make_unique<AggregateReport>();
        report->org_name = "google.com";
        report->report_id = std::to_string(1234 + i);
        report->records.resize(records_each);
        result.ingest.reports.push_back(std::move(report));
        StoredReport stored;
        stored.outcome =
            verdict == Verdict::stored ? ReportOutcome::stored : ReportOutcome::duplicate;
        stored.id = static_cast<std::int64_t>(i + 1);
        result.outcome.reports.push_back(stored);
    }
    if (verdict == Verdict::stored) {
        result.outcome.items_stored = reports * records_each;
    }
    return result;
}

struct Harness {
    explicit Harness(const Config& config = base_config())
        : store(std::make_shared<const Config>(config)), filter(api, backend, store) {
        backend->registry_snapshot = sample_registry();
    }
    ~Harness() { filter.close(ctx); }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    // One message: MAIL, each RCPT, DATA, two headers, EOH, two body chunks,
    // EOM. Stops at the first status that is not CONTINUE and returns it.
    sfsistat send(const std::vector<std::string>& rcpts) {
        const std::vector<std::pair<std::string, std::string>> fields{
            {"From", " noreply-dmarc-support@google.com"},
            {"Subject", " Report domain: example.com\n\tSubmitter: google.com"}};
        filter.negotiated(ctx, true); // as Postfix does: SMFIP_HDR_LEADSPC granted
        // CONNECT and MAIL are negotiated away with a real MTA; their
        // answers never stop a message, so they are sent and not judged.
        filter.connect(ctx);
        filter.envfrom(ctx);
        for (const auto& rcpt : rcpts) {
            rcpt_status.push_back(filter.envrcpt(ctx, rcpt));
        }
        sfsistat status = filter.data(ctx);
        for (const auto& [name, value] : fields) {
            if (status == SMFIS_CONTINUE) {
                status = filter.header(ctx, name, value);
            }
        }
        if (status == SMFIS_CONTINUE) {
            status = filter.eoh(ctx);
        }
        for (const char* chunk : {"first chunk\r\n", "second chunk\r\n"}) {
            if (status == SMFIS_CONTINUE) {
                status = filter.body(ctx, chunk);
            }
        }
        return status == SMFIS_CONTINUE ? filter.eom(ctx) : status;
    }

    FakeApi api;
    std::shared_ptr<FakeBackend> backend = std::make_shared<FakeBackend>();
    ConfigStore store;
    Filter filter;
    int storage = 0;
    SMFICTX* ctx = reinterpret_cast<SMFICTX*>(&storage);
    std::vector<sfsistat> rcpt_status;
};

const std::string k_expected_message = "From: noreply-dmarc-support@google.com\r\n"
                                       "Subject: Report domain: example.com\r\n"
                                       "\tSubmitter: google.com\r\n"
                                       "\r\n"
                                       "first chunk\r\nsecond chunk\r\n";

} // namespace

TEST_CASE("unregistered address in ReportDomains is refused with 550 5.1.1") {
    Harness h;
    h.filter.envfrom(h.ctx);
    CHECK(h.filter.envrcpt(h.ctx, "<Nobody@Example.NET>") == SMFIS_REJECT);
    CHECK(h.api.replies ==
          std::vector<std::string>{
              "550 5.1.1 <nobody@example.net>: not a registered DMARC report address"});
}

TEST_CASE("inactive registered address in ReportDomains is refused") {
    Harness h;
    h.filter.envfrom(h.ctx);
    CHECK(h.filter.envrcpt(h.ctx, "<old@example.net>") == SMFIS_REJECT);
    CHECK(h.api.replies ==
          std::vector<std::string>{
              "550 5.1.1 <old@example.net>: not a registered DMARC report address"});
}

TEST_CASE("other domains pass and their message is accepted at DATA, never buffered") {
    Harness h;
    h.filter.connect(h.ctx);
    h.filter.envfrom(h.ctx);
    CHECK(h.filter.envrcpt(h.ctx, "<alice@example.org>") == SMFIS_CONTINUE);
    CHECK(h.filter.data(h.ctx) == SMFIS_ACCEPT);
    CHECK(h.send({"<alice@example.org>"}) == SMFIS_ACCEPT);
    CHECK(h.backend->calls == 0);
    CHECK(h.api.replies.empty());
    CHECK(h.api.deleted.empty());
}

TEST_CASE("a registered rua is buffered with the exact bytes of the message") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 17);
    CHECK(h.send({"<DMARC@example.net>"}) == SMFIS_DISCARD);
    CHECK(h.rcpt_status == std::vector<sfsistat>{SMFIS_CONTINUE});
    CHECK(h.backend->calls == 1);
    CHECK(h.backend->raw == k_expected_message);
}

TEST_CASE("without SMFIP_HDR_LEADSPC one space is put back after the colon") {
    Harness h;
    h.filter.negotiated(h.ctx, false);
    h.filter.envfrom(h.ctx);
    h.filter.envrcpt(h.ctx, "<dmarc@example.net>");
    h.filter.data(h.ctx);
    h.filter.header(h.ctx, "To", "dmarc@example.net");
    h.filter.eoh(h.ctx);
    h.filter.body(h.ctx, "x\r\n");
    h.filter.eom(h.ctx);
    CHECK(h.backend->raw == "To: dmarc@example.net\r\n\r\nx\r\n");
}

TEST_CASE("the arrival carries the queue id and rua, the options the entry and policy") {
    Config config = base_config();
    config.on_bad_report = OnBadReport::reject;
    config.limits.max_records = 99;
    Harness h(config);
    h.backend->result = result_with(Verdict::stored, 1, 1);
    h.send({"<dmarc@example.net>"});
    CHECK(h.backend->arrival.via == "smtp");
    CHECK(h.backend->arrival.rua == std::optional<std::string>("dmarc@example.net"));
    CHECK(h.backend->arrival.queue_id == std::optional<std::string>("3F2A1C9"));
    CHECK(h.backend->rua_address == "dmarc@example.net");
    CHECK(h.backend->quarantine_bad == false);
    CHECK(h.backend->limits.max_records == 99);
}

TEST_CASE("stored with AfterIngest remove deletes the rua recipient and discards") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 17);
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    log_set_sink(nullptr);
    CHECK(h.api.deleted == std::vector<std::string>{"<dmarc@example.net>"});
    CHECK(h.api.headers.empty());
    REQUIRE(lines.size() == 1);
    const std::string prefix = "3F2A1C9: stored rua=dmarc@example.net kind=aggregate "
                               "org=google.com id=1234 records=17 ms=";
    CHECK(lines[0].substr(0, prefix.size()) == prefix);
}

TEST_CASE("a conflict and a bad part are named in the log line, escaped") {
    Harness h;
    h.backend->result = result_with(Verdict::duplicate, 1, 17);
    h.backend->result.outcome.reports[0].outcome = ReportOutcome::conflict;
    h.backend->result.bad_parts = {R"(part 2 (text/xml, "b.xml"): bad "x" rua=y)"};
    h.backend->result.quarantine_id = 9;
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    log_set_sink(nullptr);
    REQUIRE(lines.size() == 1);
    const std::string prefix = "3F2A1C9: conflict rua=dmarc@example.net kind=aggregate "
                               "org=google.com id=1234 records=17 ms=";
    CHECK(lines[0].substr(0, prefix.size()) == prefix);
    const std::string suffix =
        " conflicts=1 bad_parts=1 bad_part=\"part 2 (text/xml, \\\"b.xml\\\"): bad "
        "\\\"x\\\" rua=y\"";
    REQUIRE(lines[0].size() >= suffix.size());
    CHECK(lines[0].substr(lines[0].size() - suffix.size()) == suffix);
}

TEST_CASE("sender-chosen text cannot forge log fields, and a log line is capped") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 17);
    auto& report = const_cast<AggregateReport&>(
        report_as<AggregateReport>(*h.backend->result.ingest.reports.front()));
    report.org_name = "Evil rua=forged\"";
    report.report_id = "1\nX: y";
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);

    Harness q;
    q.backend->result.verdict = Verdict::quarantined;
    q.backend->result.quarantine_id = 7;
    q.backend->result.reason = "bad \"x\" rua=y";
    CHECK(q.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);

    Harness big;
    big.backend->result.verdict = Verdict::quarantined;
    big.backend->result.reason = std::string(100000, 'r');
    CHECK(big.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    log_set_sink(nullptr);

    REQUIRE(lines.size() == 3);
    const std::string stored = "3F2A1C9: stored rua=dmarc@example.net kind=aggregate "
                               "org=\"Evil rua=forged\\\"\" id=\"1\\x0aX: y\" records=17 ms=";
    CHECK(lines[0].substr(0, stored.size()) == stored);
    const std::string quarantined = R"(reason="bad \"x\" rua=y")";
    CHECK(lines[1].size() >= quarantined.size());
    CHECK(lines[1].substr(lines[1].size() - quarantined.size()) == quarantined);
    // The reason is cut as a value (256 bytes, then "...").
    const std::string cut = "reason=\"" + std::string(256, 'r') + "...\"";
    CHECK(lines[2].substr(lines[2].size() - cut.size()) == cut);
}

TEST_CASE("a log line longer than k_max_log_line is cut there, ending in ...") {
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    log_line(LogLevel::info, std::string(100000, 'x'));
    log_line(LogLevel::info, std::string(k_max_log_line, 'y'));
    log_set_sink(nullptr);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == std::string(k_max_log_line - 3, 'x') + "...");
    CHECK(lines[1] == std::string(k_max_log_line, 'y'));
}

TEST_CASE("duplicate with AfterIngest remove also discards") {
    Harness h;
    h.backend->result = result_with(Verdict::duplicate, 1, 17);
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    CHECK(h.api.deleted == std::vector<std::string>{"<dmarc@example.net>"});
}

TEST_CASE("mixed recipients: only the rua recipients are removed and the message accepted") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 17);
    CHECK(h.send({"<dmarc@example.net>", "<alice@example.org>", "<reports@elsewhere.org>"}) ==
          SMFIS_ACCEPT);
    CHECK(h.rcpt_status == std::vector<sfsistat>{SMFIS_CONTINUE, SMFIS_CONTINUE, SMFIS_CONTINUE});
    CHECK(h.backend->raw == k_expected_message);
    CHECK(h.backend->rua_address == "dmarc@example.net");
    CHECK(h.api.deleted ==
          std::vector<std::string>{"<dmarc@example.net>", "<reports@elsewhere.org>"});
}

TEST_CASE("every rua recipient's entry goes to process_message, not only the first") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 1);
    CHECK(h.send({"<dmarc@example.net.>", "<Reports@Elsewhere.ORG>"}) == SMFIS_DISCARD);
    CHECK(h.backend->rua_addresses ==
          std::vector<std::string>{"dmarc@example.net", "reports@elsewhere.org"});
    CHECK(h.api.deleted ==
          std::vector<std::string>{"<dmarc@example.net.>", "<Reports@Elsewhere.ORG>"});
}

TEST_CASE("RCPT: a trailing dot is the same address; +tag and quoted local parts are not") {
    Harness h;
    h.filter.envfrom(h.ctx);
    CHECK(h.filter.envrcpt(h.ctx, "<nobody@Example.NET.>") == SMFIS_REJECT);
    CHECK(h.filter.envrcpt(h.ctx, "<dmarc+x@example.net>") == SMFIS_REJECT);
    CHECK(h.filter.envrcpt(h.ctx, "<\"dmarc\"@example.net>") == SMFIS_REJECT);
    CHECK(h.filter.envrcpt(h.ctx, "<\"a b\"@example.org>") == SMFIS_CONTINUE);
    CHECK(h.filter.envrcpt(h.ctx, "<dmarc@example.net.>") == SMFIS_CONTINUE);
    CHECK(h.api.replies ==
          std::vector<std::string>{
              "550 5.1.1 <nobody@example.net>: not a registered DMARC report address",
              "550 5.1.1 <dmarc+x@example.net>: not a registered DMARC report address",
              "550 5.1.1 <\"dmarc\"@example.net>: not a registered DMARC report address"});
}

TEST_CASE("stored with AfterIngest deliver adds X-Rua-Milter and accepts") {
    Config config = base_config();
    config.after_ingest = AfterIngest::deliver;
    Harness h(config);
    h.backend->result = result_with(Verdict::stored, 2, 17);
    h.backend->result.outcome.items_stored = 17;
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_ACCEPT);
    log_set_sink(nullptr);
    CHECK(h.api.headers == std::vector<std::string>{"X-Rua-Milter: stored 2 reports, 17 records"});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].substr(lines[0].size() - 10) == " reports=2");
    CHECK(h.api.deleted.empty());
}

TEST_CASE("quarantined is accepted and the rua recipient removed") {
    Harness h;
    h.backend->result.verdict = Verdict::quarantined;
    h.backend->result.reason = "no aggregate report found";
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    CHECK(h.api.replies.empty());
    CHECK(h.api.deleted == std::vector<std::string>{"<dmarc@example.net>"});
}

TEST_CASE("quarantined with AfterIngest deliver says so in the header") {
    Config config = base_config();
    config.after_ingest = AfterIngest::deliver;
    Harness h(config);
    h.backend->result.verdict = Verdict::quarantined;
    h.backend->result.reason = "no aggregate report found";
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_ACCEPT);
    CHECK(h.api.headers ==
          std::vector<std::string>{"X-Rua-Milter: quarantined: no aggregate report found"});
}

TEST_CASE("rejected answers 550 5.6.0 with the reason") {
    Harness h;
    h.backend->result.verdict = Verdict::rejected;
    h.backend->result.reason = "part 1 (text/plain): not a DMARC report";
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_REJECT);
    CHECK(h.api.replies ==
          std::vector<std::string>{"550 5.6.0 part 1 (text/plain): not a DMARC report"});
    CHECK(h.api.deleted.empty());
}

TEST_CASE("a report for a foreign domain answers 550 5.7.1") {
    Harness h;
    h.backend->result.verdict = Verdict::rejected;
    h.backend->result.foreign_domain = true;
    h.backend->result.reason = "report for example.org, not a domain of account acme";
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_REJECT);
    CHECK(h.api.replies == std::vector<std::string>{
                               "550 5.7.1 report for example.org, not a domain of account acme"});
}

TEST_CASE("try_later answers 451 4.3.0 without revealing the internal reason") {
    Harness h;
    h.backend->result.verdict = Verdict::try_later;
    h.backend->result.reason = "database unavailable";
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    CHECK(h.api.replies ==
          std::vector<std::string>{"451 4.3.0 cannot store the report now, try again later"});
}

TEST_CASE("verdicts without a reason still give a reply text") {
    Harness h;
    h.backend->result.verdict = Verdict::try_later;
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    h.backend->result.verdict = Verdict::rejected;
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_REJECT);
    CHECK(h.api.replies ==
          std::vector<std::string>{"451 4.3.0 cannot store the report now, try again later",
                                   "550 5.6.0 no usable report"});
}

TEST_CASE("a message over MaxMessageSize answers 552 5.3.4") {
    Config config = base_config();
    config.limits.max_message_bytes = 100;
    Harness h(config);
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_REJECT);
    CHECK(h.api.replies ==
          std::vector<std::string>{"552 5.3.4 message too big for a DMARC report"});
    CHECK(h.backend->calls == 0);
}

TEST_CASE("a registry that never loaded answers 451 4.3.0 for ReportDomains only") {
    Harness h;
    h.backend->registry_snapshot = nullptr;
    h.filter.envfrom(h.ctx);
    CHECK(h.filter.envrcpt(h.ctx, "<dmarc@example.net>") == SMFIS_TEMPFAIL);
    CHECK(h.api.replies ==
          std::vector<std::string>{"451 4.3.0 rua registry not available, try again later"});
    CHECK(h.filter.envrcpt(h.ctx, "<alice@example.org>") == SMFIS_CONTINUE);
    CHECK(h.filter.data(h.ctx) == SMFIS_ACCEPT);
}

TEST_CASE("an exception from the backend becomes tempfail") {
    Harness h;
    h.backend->throw_error = true;
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    log_set_sink(nullptr);
    CHECK(lines ==
          std::vector<std::string>{"eom: internal error, answering tempfail: backend exploded"});
}

TEST_CASE("EomDeadline exceeded answers 451 4.3.0 and cancels the job") {
    Config config = base_config();
    config.eom_deadline = std::chrono::seconds(1);
    Harness h(config);
    h.backend->hold = true;
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    log_set_sink(nullptr);
    CHECK(h.api.replies ==
          std::vector<std::string>{"451 4.3.0 cannot store the report now, try again later"});
    h.backend->release();
    h.backend->wait_finished();
    CHECK(h.backend->calls == 1);
    CHECK(h.backend->had_deadline);
    CHECK(h.backend->cancelled); // the store's statement is aborted, not left running
    REQUIRE(lines.size() == 1);
    const std::string reason = "reason=\"end-of-message deadline exceeded\"";
    CHECK(lines[0].substr(lines[0].size() - reason.size()) == reason);
}

TEST_CASE("a job whose deadline passed before it started never reaches the backend") {
    Config config = base_config();
    config.eom_deadline = std::chrono::seconds(0);
    Harness h(config);
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    log_set_sink(nullptr);
    CHECK(h.api.replies ==
          std::vector<std::string>{"451 4.3.0 cannot store the report now, try again later"});
    h.backend->pool.shutdown();
    CHECK(h.backend->calls == 0);
    CHECK(h.backend->pool.dropped() == 1);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("reason=\"end-of-message deadline") != std::string::npos);
}

TEST_CASE("close without connect is harmless") {
    Harness h;
    CHECK(h.filter.close(h.ctx) == SMFIS_CONTINUE);
    CHECK(h.filter.abort(h.ctx) == SMFIS_CONTINUE);
    CHECK(h.filter.open_connections() == 0);
}

TEST_CASE("close frees the connection state") {
    Harness h;
    h.filter.connect(h.ctx);
    CHECK(h.filter.open_connections() == 1);
    CHECK(h.filter.close(h.ctx) == SMFIS_CONTINUE);
    CHECK(h.filter.open_connections() == 0);
}

TEST_CASE("abort forgets the message; the next one starts clean") {
    Harness h;
    h.filter.connect(h.ctx);
    h.filter.envfrom(h.ctx);
    h.filter.envrcpt(h.ctx, "<dmarc@example.net>");
    h.filter.data(h.ctx);
    h.filter.header(h.ctx, "X-Old", " left over");
    CHECK(h.filter.abort(h.ctx) == SMFIS_CONTINUE);
    h.backend->result = result_with(Verdict::stored, 1, 1);
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    CHECK(h.backend->raw == k_expected_message);
}

TEST_CASE("a connection keeps the config it started with across a reload") {
    Harness h;
    h.filter.connect(h.ctx);
    Config next = base_config();
    next.after_ingest = AfterIngest::deliver;
    h.store.set(std::make_shared<const Config>(next));
    h.backend->result = result_with(Verdict::stored, 1, 1);
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    CHECK(h.api.headers.empty());
}

TEST_CASE("reply text doubles percent signs and drops control characters") {
    CHECK(reply_text("100% bad\r\nnext\x01") == "100%% bad  next ");
    CHECK(reply_text("caf\xc3\xa9") == "caf??");
    CHECK(reply_text(std::string(300, 'x')).size() == 200);
}

TEST_CASE("X-Rua-Milter has one space after the colon, with or without SMFIP_HDR_LEADSPC") {
    Config config = base_config();
    config.after_ingest = AfterIngest::deliver;
    for (const bool leading_space : {true, false}) {
        Harness h(config);
        h.backend->result = result_with(Verdict::stored, 1, 3);
        h.api.leading_space = leading_space;
        h.filter.negotiated(h.ctx, leading_space);
        h.filter.envfrom(h.ctx);
        h.filter.envrcpt(h.ctx, "<dmarc@example.net>");
        h.filter.data(h.ctx);
        h.filter.header(h.ctx, "To", leading_space ? " dmarc@example.net" : "dmarc@example.net");
        h.filter.eoh(h.ctx);
        h.filter.body(h.ctx, "x\r\n");
        CHECK(h.filter.eom(h.ctx) == SMFIS_ACCEPT);
        CHECK(h.api.headers ==
              std::vector<std::string>{"X-Rua-Milter: stored 1 report, 3 records"});
    }
}

TEST_CASE("a message past MaxInFlightBytes while buffering answers 451 4.3.2 and keeps nothing") {
    Config config = base_config();
    config.max_in_flight_bytes = 40; // less than the test message
    Harness h(config);
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    log_set_sink(nullptr);
    CHECK(h.api.replies ==
          std::vector<std::string>{"451 4.3.2 too many reports in progress, try again later"});
    CHECK(h.backend->calls == 0);
    CHECK(h.filter.memory_in_use() == 0);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("3F2A1C9: tempfail rua=dmarc@example.net reason=\"MaxInFlightBytes 40 "
                         "exhausted while buffering, ",
                         0) == 0);
}

TEST_CASE("two messages at once: the one past MaxInFlightBytes gets 451 4.3.2, the other stores") {
    Config config = base_config();
    config.max_in_flight_bytes = 100; // one test message (69 bytes), not two
    Harness h(config);
    h.backend->result = result_with(Verdict::stored, 1, 17);
    // The first message is buffered whole and waits for its end of message.
    h.filter.negotiated(h.ctx, true);
    h.filter.envfrom(h.ctx);
    h.filter.envrcpt(h.ctx, "<dmarc@example.net>");
    h.filter.data(h.ctx);
    h.filter.header(h.ctx, "From", " noreply-dmarc-support@google.com");
    h.filter.eoh(h.ctx);
    REQUIRE(h.filter.body(h.ctx, "first chunk\r\nsecond chunk\r\n") == SMFIS_CONTINUE);
    const std::size_t first = h.filter.memory_in_use();
    CHECK(first > 0);
    // A second connection's message does not fit beside it.
    int other_storage = 0;
    auto* other = reinterpret_cast<SMFICTX*>(&other_storage);
    h.filter.negotiated(other, true);
    h.filter.envfrom(other);
    h.filter.envrcpt(other, "<dmarc@example.net>");
    h.filter.data(other);
    sfsistat status = h.filter.header(other, "From", " noreply-dmarc-support@google.com");
    status = status == SMFIS_CONTINUE ? h.filter.eoh(other) : status;
    status =
        status == SMFIS_CONTINUE ? h.filter.body(other, "first chunk\r\nsecond chunk\r\n") : status;
    CHECK(status == SMFIS_TEMPFAIL);
    CHECK(h.api.replies ==
          std::vector<std::string>{"451 4.3.2 too many reports in progress, try again later"});
    CHECK(h.filter.memory_in_use() == first);
    h.filter.close(other);
    // The first one stores, and gives its bytes back.
    CHECK(h.filter.eom(h.ctx) == SMFIS_DISCARD);
    CHECK(h.backend->calls == 1);
    CHECK(h.filter.memory_in_use() == 0);
}

TEST_CASE("a message's reservation is given back at abort and at close") {
    Harness h;
    h.filter.negotiated(h.ctx, true);
    h.filter.envfrom(h.ctx);
    h.filter.envrcpt(h.ctx, "<dmarc@example.net>");
    h.filter.data(h.ctx);
    h.filter.header(h.ctx, "From", " a@b.example");
    CHECK(h.filter.memory_in_use() == std::string("From: a@b.example\r\n").size());
    h.filter.abort(h.ctx);
    CHECK(h.filter.memory_in_use() == 0);
    h.filter.envfrom(h.ctx);
    h.filter.envrcpt(h.ctx, "<dmarc@example.net>");
    h.filter.data(h.ctx);
    h.filter.header(h.ctx, "From", " a@b.example");
    h.filter.eoh(h.ctx);
    h.filter.body(h.ctx, "body\r\n");
    CHECK(h.filter.memory_in_use() > 0);
    h.filter.close(h.ctx);
    CHECK(h.filter.memory_in_use() == 0);
}

TEST_CASE("decompressed bytes past MaxInFlightBytes answer 451 4.3.2") {
    Config config = base_config();
    config.max_in_flight_bytes = 1000;
    Harness h(config);
    h.backend->charge_bytes = 5000; // what the core would charge while inflating
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    CHECK(h.api.replies ==
          std::vector<std::string>{"451 4.3.2 too many reports in progress, try again later"});
    CHECK(h.backend->charge_refused);
    CHECK(h.filter.memory_in_use() == 0);
}

TEST_CASE("messages held by a slow database never use more threads than the pool") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 1);
    h.backend->hold = true;
    constexpr int k_messages = 6; // pool: 2 threads, up to 8 queued
    std::vector<int> storage(k_messages);
    std::vector<sfsistat> status(k_messages, SMFIS_CONTINUE);
    std::vector<std::thread> senders;
    senders.reserve(k_messages);
    for (int i = 0; i < k_messages; ++i) {
        senders.emplace_back([&, i] {
            auto* ctx = reinterpret_cast<SMFICTX*>(&storage[static_cast<std::size_t>(i)]);
            h.filter.envfrom(ctx);
            h.filter.envrcpt(ctx, "<dmarc@example.net>");
            h.filter.data(ctx);
            h.filter.body(ctx, "x\r\n");
            status[static_cast<std::size_t>(i)] = h.filter.eom(ctx);
            h.filter.close(ctx);
        });
    }
    h.backend->wait_running(2);
    CHECK(h.backend->pool.threads() == 2);
    h.backend->release();
    for (auto& sender : senders) {
        sender.join();
    }
    CHECK(h.backend->peak_running == 2);
    CHECK(h.backend->pool.peak_running() == 2);
    CHECK(h.backend->calls == k_messages);
    CHECK(status == std::vector<sfsistat>(k_messages, SMFIS_DISCARD));
}

// The steps an MTA sends once CONNECT and MAIL are negotiated away: each
// message starts at its first RCPT.
TEST_CASE("without CONNECT and MAIL each message starts afresh at its first RCPT") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 1);
    h.filter.negotiated(h.ctx, true);
    // Not ours: accepted at DATA, so no header, body or end of message follows.
    CHECK(h.filter.envrcpt(h.ctx, "<alice@example.org>") == SMFIS_CONTINUE);
    CHECK(h.filter.data(h.ctx) == SMFIS_ACCEPT);
    // A report next, on the same connection: its only recipient is the rua,
    // so it is discarded, not kept for alice of the message before.
    CHECK(h.filter.envrcpt(h.ctx, "<dmarc@example.net>") == SMFIS_CONTINUE);
    CHECK(h.filter.data(h.ctx) == SMFIS_CONTINUE);
    CHECK(h.filter.eoh(h.ctx) == SMFIS_CONTINUE);
    CHECK(h.filter.body(h.ctx, "x\r\n") == SMFIS_CONTINUE);
    CHECK(h.filter.eom(h.ctx) == SMFIS_DISCARD);
    CHECK(h.backend->calls == 1);
    CHECK(h.api.deleted == std::vector<std::string>{"<dmarc@example.net>"});
    // And one more report: only its own recipient is removed.
    CHECK(h.filter.envrcpt(h.ctx, "<DMARC@example.net>") == SMFIS_CONTINUE);
    CHECK(h.filter.data(h.ctx) == SMFIS_CONTINUE);
    CHECK(h.filter.eom(h.ctx) == SMFIS_DISCARD);
    CHECK(h.backend->calls == 2);
    CHECK(h.api.deleted == std::vector<std::string>{"<dmarc@example.net>", "<DMARC@example.net>"});
}

TEST_CASE("an aborted message is forgotten without MAIL starting the next one") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 1);
    h.filter.negotiated(h.ctx, true);
    CHECK(h.filter.envrcpt(h.ctx, "<alice@example.org>") == SMFIS_CONTINUE);
    CHECK(h.filter.abort(h.ctx) == SMFIS_CONTINUE); // RSET before DATA
    CHECK(h.filter.envrcpt(h.ctx, "<dmarc@example.net>") == SMFIS_CONTINUE);
    CHECK(h.filter.data(h.ctx) == SMFIS_CONTINUE);
    CHECK(h.filter.eom(h.ctx) == SMFIS_DISCARD);
    CHECK(h.backend->calls == 1);
}

namespace {

// The line of `name` in the filter's exposition ("" when absent).
std::string metric_line(Filter& filter, const std::string& name) {
    const std::string text = "\n" + filter.metrics().render(Gauges{}, "test");
    const auto at = text.find("\n" + name + " ");
    if (at == std::string::npos) {
        return "";
    }
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

} // namespace

TEST_CASE("metrics: each answer is counted once, by kind, verdict and 4xx reason") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 2);
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    h.backend->result = result_with(Verdict::duplicate, 1, 2);
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    h.backend->result = ProcessResult{};
    h.backend->result.verdict = Verdict::quarantined;
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    h.backend->result.verdict = Verdict::try_later;
    h.backend->result.reason_code = "try_later";
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    h.filter.envfrom(h.ctx);
    CHECK(h.filter.envrcpt(h.ctx, "<nobody@example.net>") == SMFIS_REJECT);
    h.filter.abort(h.ctx);

    auto& m = h.filter.metrics();
    CHECK(m.messages("aggregate", Verdict::stored) == 1);
    CHECK(m.messages("aggregate", Verdict::duplicate) == 1);
    CHECK(m.messages("", Verdict::quarantined) == 1);
    CHECK(m.messages("", Verdict::try_later) == 1);
    CHECK(m.messages("aggregate", Verdict::try_later) == 0);
    CHECK(m.inflight_messages() == 0);
    CHECK(
        metric_line(h.filter, "rua_milter_messages_total{kind=\"aggregate\",verdict=\"stored\"}") ==
        "rua_milter_messages_total{kind=\"aggregate\",verdict=\"stored\"} 1");
    CHECK(metric_line(h.filter, "rua_milter_rcpt_rejected_total") ==
          "rua_milter_rcpt_rejected_total 1");
    CHECK(metric_line(h.filter, "rua_milter_tempfail_total{reason=\"database\"}") ==
          "rua_milter_tempfail_total{reason=\"database\"} 1");
    CHECK(metric_line(h.filter, "rua_milter_eom_seconds_count") ==
          "rua_milter_eom_seconds_count 4");
}

TEST_CASE("metrics: 552, 451 4.3.2, the registry, the deadline and a guard are counted") {
    Config config = base_config();
    config.limits.max_message_bytes = 100;
    Harness big(config);
    CHECK(big.send({"<dmarc@example.net>"}) == SMFIS_REJECT);
    CHECK(big.filter.metrics().messages("", Verdict::rejected) == 1);
    CHECK(metric_line(big.filter, "rua_milter_eom_seconds_count") ==
          "rua_milter_eom_seconds_count 0");

    config = base_config();
    config.max_in_flight_bytes = 40;
    Harness full(config);
    CHECK(full.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    CHECK(full.filter.metrics().messages("", Verdict::try_later) == 1);
    CHECK(metric_line(full.filter, "rua_milter_tempfail_total{reason=\"overload\"}") ==
          "rua_milter_tempfail_total{reason=\"overload\"} 1");

    Harness no_registry;
    no_registry.backend->registry_snapshot = nullptr;
    no_registry.filter.envfrom(no_registry.ctx);
    CHECK(no_registry.filter.envrcpt(no_registry.ctx, "<dmarc@example.net>") == SMFIS_TEMPFAIL);
    CHECK(metric_line(no_registry.filter, "rua_milter_tempfail_total{reason=\"registry\"}") ==
          "rua_milter_tempfail_total{reason=\"registry\"} 1");

    config = base_config();
    config.eom_deadline = std::chrono::seconds(0);
    Harness late(config);
    CHECK(late.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    late.backend->pool.shutdown();
    CHECK(metric_line(late.filter, "rua_milter_tempfail_total{reason=\"deadline\"}") ==
          "rua_milter_tempfail_total{reason=\"deadline\"} 1");
    CHECK(metric_line(late.filter, "rua_milter_tempfail_total{reason=\"database\"}") ==
          "rua_milter_tempfail_total{reason=\"database\"} 0");

    Harness broken;
    broken.backend->throw_error = true;
    log_set_sink([](LogLevel, std::string_view) {});
    CHECK(broken.send({"<dmarc@example.net>"}) == SMFIS_TEMPFAIL);
    log_set_sink(nullptr);
    CHECK(metric_line(broken.filter, "rua_milter_tempfail_total{reason=\"internal\"}") ==
          "rua_milter_tempfail_total{reason=\"internal\"} 1");
}

TEST_CASE("metrics: a message is in flight from DATA until its answer or abort") {
    Harness h;
    h.filter.envfrom(h.ctx);
    REQUIRE(h.filter.envrcpt(h.ctx, "<dmarc@example.net>") == SMFIS_CONTINUE);
    CHECK(h.filter.metrics().inflight_messages() == 0);
    REQUIRE(h.filter.data(h.ctx) == SMFIS_CONTINUE);
    CHECK(h.filter.metrics().inflight_messages() == 1);
    h.filter.abort(h.ctx);
    CHECK(h.filter.metrics().inflight_messages() == 0);
}

TEST_CASE("the trusted authserv-ids, this host's name and the requirement reach the core") {
    Config config = base_config();
    config.trusted_authserv_ids = {"mx.example.net"};
    config.require_authentic_reports = true;
    Harness h(config);
    h.api.symbols["j"] = "rua.example.net";
    h.backend->result = result_with(Verdict::stored, 1, 17);
    h.backend->result.ingest.reports[0]->authenticity = Authenticity::dkim_aligned;
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    log_set_sink(nullptr);
    CHECK(h.backend->authenticity.trusted_ids == std::vector<std::string>{"mx.example.net"});
    CHECK(h.backend->authenticity.own_host == "rua.example.net");
    CHECK(h.backend->require_authentic);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(" auth=dkim-aligned") != std::string::npos);
}

TEST_CASE("without TrustedAuthservIDs the core gets no trusted id and the line says unknown") {
    Harness h;
    h.backend->result = result_with(Verdict::stored, 1, 17);
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    log_set_sink(nullptr);
    CHECK(h.backend->authenticity.trusted_ids.empty());
    CHECK(h.backend->authenticity.own_host.empty()); // the fake MTA sends no `j`
    CHECK_FALSE(h.backend->require_authentic);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(" auth=unknown") != std::string::npos);
}

TEST_CASE("an unauthenticated report quarantined: 250-style accept, reason in the line") {
    Config config = base_config();
    config.trusted_authserv_ids = {"mx.example.net"};
    config.require_authentic_reports = true;
    Harness h(config);
    h.backend->result = result_with(Verdict::quarantined, 1, 17);
    h.backend->result.ingest.reports[0]->authenticity = Authenticity::unauthenticated;
    h.backend->result.reason = "aggregate report 1234 is unauthenticated";
    h.backend->result.reason_code = "unauthenticated";
    h.backend->result.quarantine_id = 5;
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    CHECK(h.send({"<dmarc@example.net>"}) == SMFIS_DISCARD);
    log_set_sink(nullptr);
    CHECK(h.api.replies.empty());
    REQUIRE(lines.size() == 1);
    const std::string prefix = "3F2A1C9: quarantined rua=dmarc@example.net items=17 ms=";
    CHECK(lines[0].substr(0, prefix.size()) == prefix);
    CHECK(lines[0].find(" auth=unauthenticated quarantine=5 reason=\"aggregate report 1234 is "
                        "unauthenticated\"") != std::string::npos);
}
