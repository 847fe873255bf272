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

    // The report's exactly-once key as a JSON object (report_conflict.
    // report_key), with the values as the sender sent them. The default, for
    // a kind whose key is its content, is its identifier.
    virtual std::string conflict_key(const Report& report) const;

    // `ruactl summary` sections for one domain (lower-cased), for reports
    // whose period ends after `since_seconds_ago` when given.
    virtual std::vector<SummaryTable>
    summary(pqxx::work& tx, const std::string& domain,
            std::optional<std::int64_t> since_seconds_ago) const = 0;
};

// The writer registered for `kind`; throws std::logic_error for none (a
// kind registered for parsing but not for storing is our bug).
const Writer& writer_for(std::string_view kind);

// Every registered writer, in registration order.
const std::vector<const Writer*>& writers();

} // namespace rua::detail
