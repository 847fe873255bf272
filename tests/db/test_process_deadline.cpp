// Database tests of process_message's time limits (ProcessOptions deadline
// and cancel): a statement blocked by another session's lock ends in
// try_later, rolled back, and the pool stays usable. No timing assertions:
// the verdict and the reason are checked, never how long it took.
#include "db/db_fixture.hpp"

#include <rua/cancel.hpp>
#include <rua/process.hpp>

#include <chrono>
#include <thread>

using rua::test::ScratchDb;

namespace {

std::string message_for(const std::string& id) {
    return "From: reporter@reporter.example\r\nTo: dmarc@example.net\r\nSubject: Report "
           "Domain: example.com\r\nMIME-Version: 1.0\r\nContent-Type: text/xml\r\n"
           "Content-Disposition: attachment; filename=\"r.xml\"\r\n\r\n"
           "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Example "
           "Org</org_name><email>dmarc@reporter.example</email><report_id>" +
           id +
           "</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>"
           "</report_metadata><policy_published><domain>example.com</domain><p>none</p>"
           "</policy_published><record><row><source_ip>192.0.2.7</source_ip><count>4</count>"
           "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf>"
           "</policy_evaluated></row><identifiers><header_from>example.com</header_from>"
           "</identifiers><auth_results><spf><domain>example.com</domain><result>pass</result>"
           "</spf></auth_results></record></feedback>\n";
}

rua::Arrival arrival() {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = "DL1";
    return a;
}

// Another session holding raw_report locked until release() (or the end).
class TableLock {
public:
    explicit TableLock(const std::string& url) : m_conn(url), m_tx(m_conn) {
        m_tx.exec("LOCK TABLE raw_report IN ACCESS EXCLUSIVE MODE");
    }
    void release() { m_tx.abort(); }

private:
    pqxx::connection m_conn;
    pqxx::work m_tx;
};

// Waits (without a time bound: ctest's own timeout is the bound) until some
// session of this database waits for a lock.
void wait_for_lock_waiter(ScratchDb& db) {
    const std::string sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name() +
                            "' AND wait_event_type = 'Lock'";
    while (db.scalar(sql) == "0") {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace

TEST_CASE("a deadline ends a statement blocked by a lock in try_later; later the message stores") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto raw = message_for("dl-1");
    TableLock lock(db.url());

    rua::ProcessOptions options;
    options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    const auto late = rua::process_message(store, raw, rua::Limits{}, arrival(), options);
    CHECK(late.verdict == rua::Verdict::try_later);
    CHECK(late.reason_code == "try_later");
    CHECK(late.reason == "time limit reached before the database work could finish "
                         "(canceling statement due to statement timeout)");

    lock.release();
    CHECK(db.count("aggregate_report") == 0);
    CHECK(db.count("quarantine") == 0);
    const auto again = rua::process_message(store, raw, rua::Limits{}, arrival(), {});
    CHECK(again.verdict == rua::Verdict::stored);
    CHECK(db.count("aggregate_report") == 1);
}

TEST_CASE("a deadline already past is try_later before any statement") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    rua::ProcessOptions options;
    options.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
    const auto late =
        rua::process_message(store, message_for("dl-2"), rua::Limits{}, arrival(), options);
    CHECK(late.verdict == rua::Verdict::try_later);
    CHECK(late.reason == "time limit reached before the database work could finish");
    CHECK(db.count("aggregate_report") == 0);
}

TEST_CASE("cancel() from another thread aborts the blocked statement: try_later, then stored") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto raw = message_for("dl-3");
    TableLock lock(db.url());

    rua::ProcessOptions options;
    options.cancel = std::make_shared<rua::CancelToken>();
    std::thread canceller([&db, token = options.cancel] {
        wait_for_lock_waiter(db);
        token->cancel();
    });
    const auto cancelled = rua::process_message(store, raw, rua::Limits{}, arrival(), options);
    canceller.join();
    CHECK(cancelled.verdict == rua::Verdict::try_later);
    CHECK(cancelled.reason == "cancelled: the caller stopped waiting for the database "
                              "(canceling statement due to user request)");

    lock.release();
    CHECK(db.count("aggregate_report") == 0);
    // The pool's one connection was dropped after the cancel; a fresh one works.
    const auto again = rua::process_message(store, raw, rua::Limits{}, arrival(), {});
    CHECK(again.verdict == rua::Verdict::stored);
    CHECK(db.count("aggregate_report") == 1);

    // A token cancelled before the job starts: try_later without a statement.
    rua::ProcessOptions early;
    early.cancel = std::make_shared<rua::CancelToken>();
    early.cancel->cancel();
    const auto refused =
        rua::process_message(store, message_for("dl-4"), rua::Limits{}, arrival(), early);
    CHECK(refused.verdict == rua::Verdict::try_later);
    CHECK(refused.reason == "cancelled: the caller stopped waiting for the database");
}
