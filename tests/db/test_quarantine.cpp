// Database tests of Store::quarantine keeping a message once per rua while
// it is unresolved: sequential calls, racing callers, process_message run
// twice (with its reason_code).
#include "db/db_fixture.hpp"

#include <rua/errors.hpp>
#include <rua/process.hpp>
#include <rua/store.hpp>

#include <string>
#include <thread>
#include <vector>

using rua::test::ScratchDb;

namespace {

rua::Arrival to_rua(const char* address) {
    rua::Arrival arrival;
    arrival.rua = address;
    arrival.queue_id = "Q1";
    return arrival;
}

} // namespace

TEST_CASE("quarantining the same message twice for the same rua keeps one row") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const std::string raw("Subject: no report\r\n\r\nbody \0\xff", 28);
    const auto first = store.quarantine(raw, "no_report", "first", to_rua("dmarc@example.com"));
    const auto second = store.quarantine(raw, "bad_report", "second", to_rua("dmarc@example.com"));
    CHECK(second == first);
    CHECK(db.count("quarantine") == 1);
    // The row is the first one, unchanged.
    CHECK(db.scalar("SELECT concat_ws('|', reason, detail) FROM quarantine") == "no_report|first");

    // Another rua, or no rua at all, is another row; so is other bytes.
    const auto other_rua = store.quarantine(raw, "no_report", "", to_rua("rua@example.org"));
    const auto no_rua = store.quarantine(raw, "no_report", "", rua::Arrival{});
    const auto no_rua_again = store.quarantine(raw, "no_report", "", rua::Arrival{});
    const auto other_bytes =
        store.quarantine(raw + "x", "no_report", "", to_rua("dmarc@example.com"));
    CHECK(other_rua != first);
    CHECK(no_rua != first);
    CHECK(no_rua_again == no_rua);
    CHECK(other_bytes != first);
    CHECK(db.count("quarantine") == 4);

    // Once resolved, the same message arriving again is kept anew.
    db.exec("UPDATE quarantine SET resolved_at = now() WHERE id = " + std::to_string(first));
    const auto after_resolve = store.quarantine(raw, "no_report", "", to_rua("dmarc@example.com"));
    CHECK(after_resolve != first);
    CHECK(db.count("quarantine") == 5);
}

TEST_CASE("racing quarantines of the same messages keep one row per message") {
    ScratchDb db;
    constexpr int k_messages = 30;
    std::vector<std::vector<std::int64_t>> ids(2, std::vector<std::int64_t>(k_messages));
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            rua::ConnectionPool pool(db.url(), 1);
            rua::Store store(pool);
            for (int i = 0; i < k_messages; ++i) {
                ids[t][static_cast<std::size_t>(i)] = store.quarantine(
                    "message " + std::to_string(i), "no_report", "", to_rua("dmarc@example.com"));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK(ids[0] == ids[1]);
    CHECK(db.count("quarantine") == k_messages);
}

TEST_CASE("process_message quarantines the same message once and names the reason") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const std::string raw = "From: a@example.org\r\nSubject: hello\r\n\r\nno report here\r\n";
    const auto first = rua::process_message(store, raw, rua::Limits{}, to_rua("dmarc@example.com"),
                                            rua::ProcessOptions{});
    const auto second = rua::process_message(store, raw, rua::Limits{}, to_rua("dmarc@example.com"),
                                             rua::ProcessOptions{});
    CHECK(first.verdict == rua::Verdict::quarantined);
    CHECK(first.reason_code == "no_report");
    CHECK(second.verdict == rua::Verdict::quarantined);
    CHECK(second.quarantine_id == first.quarantine_id);
    CHECK(db.count("quarantine") == 1);

    rua::ProcessOptions reject;
    reject.quarantine_bad = false;
    const auto rejected =
        rua::process_message(store, raw, rua::Limits{}, to_rua("dmarc@example.com"), reject);
    CHECK(rejected.verdict == rua::Verdict::rejected);
    CHECK(rejected.reason_code == "no_report");
    CHECK(rejected.quarantine_id == 0);
}
