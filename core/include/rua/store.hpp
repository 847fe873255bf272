// Writing reports to PostgreSQL: one transaction per message (raw attachment,
// report rows, records through COPY), exactly once per report key, and the
// quarantine for messages that yield nothing storable. libpqxx stays inside
// the .cpp files; callers see only std types and the rua model.
#pragma once

#include <rua/ingest.hpp>
#include <rua/registry.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rua {

// How a message reached us.
struct Arrival {
    std::string via = "smtp"; // "smtp" or "import"
    OptString rua;            // the rua address it was sent to
    OptString file;           // the imported file
    OptString queue_id;       // the MTA queue id
};

class CancelToken;

// Time limits for one message's database work (ProcessOptions): each
// transaction sets its statement_timeout to the time left before `deadline`
// (at least 1 ms; none when default) and `cancel` aborts the running
// statement. Either way the work ends in TryLater and is rolled back.
struct StoreJob {
    std::chrono::steady_clock::time_point deadline{};
    std::shared_ptr<CancelToken> cancel; // may be null
};

enum class ReportOutcome { stored, duplicate, conflict };
const char* to_string(ReportOutcome outcome);

struct StoredReport {
    ReportOutcome outcome = ReportOutcome::stored;
    std::int64_t id = 0; // the report row's id in its kind's table (the first stored copy)
};

struct MessageOutcome {
    std::vector<StoredReport> reports; // one per IngestResult::reports entry
    std::size_t items_stored = 0;      // Report::items() of the reports stored
    std::size_t stored() const;
    std::size_t duplicates() const; // same key, same content: nothing written
    std::size_t conflicts() const;  // same key, other content: kept in report_conflict
};

// A small pool of connections, safe to share between threads. Each
// connection is used by one thread at a time.
class ConnectionPool {
public:
    // `conninfo` is a libpq URI or key=value string ("" = PG* variables).
    // Connections are opened lazily; the constructor does no I/O.
    ConnectionPool(std::string conninfo, std::size_t size,
                   std::chrono::milliseconds acquire_timeout = std::chrono::seconds(10));
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    const std::string& conninfo() const;
    // Connections lent out now (being opened or in use by a caller).
    std::size_t in_use() const;

    struct Impl;
    Impl& impl() { return *m_impl; }

private:
    std::unique_ptr<Impl> m_impl;
};

class Store {
public:
    explicit Store(ConnectionPool& pool) : m_pool(pool) {}

    // Stores every report of `result` with its raw attachment in one
    // transaction, each through its kind's writer; `privacy` says what of a
    // report carrying personal data is kept. Throws TryLater (connection
    // lost, serialization failure, deadlock, too many connections, pool
    // exhausted, `job` cancelled or past its deadline) or BadInput (data the
    // database refuses). Duplicates are no-ops reported per report.
    MessageOutcome store(const IngestResult& result, const Arrival& arrival,
                         Privacy privacy = Privacy::redacted, const StoreJob& job = {});

    // Checks a message passes before anything of it is stored: `report` for
    // each report delivered while parsed, before any of it is written;
    // `message` once after parsing, before the other reports are written.
    // Either throws to abandon the whole message: the transaction is rolled
    // back and the exception passes through ingest_and_store unchanged.
    struct Admission {
        // May set what the store records of the report beside its content
        // (its authenticity).
        std::function<void(Report&)> report;
        std::function<void(const IngestResult&)> message;
    };

    // ingest() and store() in one: `raw` is parsed into `result` and its
    // reports stored in one transaction, but a report past
    // Limits::stream_items is written while it is parsed, its records
    // through COPY as they come, so it is never held whole (the database
    // connection is taken only when such a report begins, or after
    // parsing). A streamed report that fails past its head (a bad record
    // late in it) is rolled back to a savepoint and its part becomes an
    // error diagnostic, like any part that fails. Throws what ingest()
    // throws for the message as a whole (BadInput, LimitExceeded), what
    // store() throws, and whatever `admission` throws.
    MessageOutcome ingest_and_store(std::string_view raw, const Limits& limits,
                                    std::string_view source_name, const Arrival& arrival,
                                    Privacy privacy, const StoreJob& job,
                                    const Admission& admission, IngestResult& result);

    // Keeps a message that yielded no storable report. Returns the row id.
    // Throws TryLater.
    std::int64_t quarantine(std::string_view raw_message, std::string_view reason,
                            std::string_view detail, const Arrival& arrival,
                            const StoreJob& job = {});

    // Reads the registry (rua_address, account, account_domain).
    // Throws TryLater.
    Registry load_registry();

private:
    ConnectionPool& m_pool;
};

} // namespace rua
