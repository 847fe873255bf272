// The store half of a report kind: how one kind's reports become rows, in
// the caller's transaction, exactly once. One implementation per folder
// under kinds/, registered once in kinds/writers.cpp; Store::store and the
// admin queries look writers up by Report::kind() and never name a kind.
// libpqxx stays here and in the .cpp files; never included by the parse path.
#pragma once

#include <rua/admin.hpp>
#include <rua/model.hpp>
#include <rua/store.hpp>

#include <pqxx/pqxx>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua::detail {

// One message's reports of one kind, inside one transaction.
class WriteBatch {
public:
    virtual ~WriteBatch() = default;

    // Inserts one report unless its exactly-once key exists (ON CONFLICT DO
    // NOTHING); then tells a duplicate (same fingerprint) from a conflict.
    // `raw_id` is the archived attachment (raw_report.id), if any. Throws
    // pqxx errors (the caller translates them) or TryLater.
    virtual StoredReport add(const Report& report, std::optional<std::int64_t> raw_id,
                             const Arrival& arrival, Privacy privacy) = 0;

    // Writes what add() deferred (records through COPY); called once,
    // before the transaction commits.
    virtual void finish() = 0;
};

// One report written while it is parsed (a kind that streams), inside the
// caller's savepoint: the head at construction, each batch of items, then
// the outcome. Throws pqxx errors (the caller translates them), BadInput
// for values no column holds, or TryLater.
class StreamBatch {
public:
    virtual ~StreamBatch() = default;
    StreamBatch() = default;
    StreamBatch(const StreamBatch&) = delete;
    StreamBatch& operator=(const StreamBatch&) = delete;

    // The stored report with the head's key, when it existed: then this
    // batch writes nothing and end() tells a duplicate from a conflict.
    virtual std::optional<std::int64_t> existing() const = 0;
    // Writes the items the report holds now.
    virtual void items(const Report& report) = 0;
    // Writes the last items held and finishes the report: stored, or (its
    // key existed) duplicate or conflict by its fingerprint.
    virtual StoredReport end(const Report& report) = 0;
    // The report failed: end any COPY in progress so that the caller can
    // roll back to its savepoint. Returns false when the session's state is
    // unknown (the whole transaction must go).
    virtual bool close() noexcept = 0;
};

class Writer {
public:
    virtual ~Writer() = default;
    Writer() = default;
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    virtual std::string_view name() const = 0; // Report::kind()

    // Refuses, before any I/O, values no column can hold (NUL bytes, numbers
    // past bigint): throws BadInput("database refused the report: ...").
    virtual void check(const Report& report) const = 0;

    // Prepares the kind's statements on a connection (cheap when repeated).
    virtual void prepare(pqxx::connection& conn) const = 0;

    virtual std::unique_ptr<WriteBatch> begin(pqxx::work& tx) const = 0;

    // A report delivered while parsed (ReportSink), its head complete and
    // first batch held; only kinds whose parse streams implement it (the
    // default throws std::logic_error).
    virtual std::unique_ptr<StreamBatch> stream(pqxx::dbtransaction& tx, const Report& head,
                                                std::optional<std::int64_t> raw_id,
                                                const Arrival& arrival) const;

    // The report's exactly-once key as a JSON object (report_conflict.
    // report_key), with the values as the sender sent them. The default, for
    // a kind whose key is its content, is its identifier.
    virtual std::string conflict_key(const Report& report) const;

    // `ruactl summary` sections for one domain (lower-cased), for reports
    // whose period ends after `since_seconds_ago` when given.
    virtual std::vector<SummaryTable>
    summary(pqxx::work& tx, const std::string& domain,
            std::optional<std::int64_t> since_seconds_ago) const = 0;

    // The SELECT of `ruactl summary`'s BY AUTHENTICITY section (sql/0017):
    // rows of (authenticity, reports, messages) for the lower-cased domain
    // $1 and the age limit $2 (seconds, or NULL), as summary() filters.
    virtual std::string authenticity_sql() const = 0;
};

// The BY AUTHENTICITY section of `writer`'s kind (store_authenticity.cpp):
// reports and messages per verdict, every verdict listed (zeros included).
SummaryTable authenticity_summary(pqxx::work& tx, const Writer& writer, const std::string& domain,
                                  std::optional<std::int64_t> since_seconds_ago);

// The writer registered for `kind`; throws std::logic_error for none (a
// kind registered for parsing but not for storing is our bug).
const Writer& writer_for(std::string_view kind);

// Every registered writer, in registration order.
const std::vector<const Writer*>& writers();

} // namespace rua::detail
