// Store::store: one message, one transaction. Each report's attachment is
// inserted (or found, once per sha256) first, then the report goes to its
// kind's writer, which inserts it with ON CONFLICT DO NOTHING on its
// exactly-once key, pointing at the attachment; a conflicting copy (same key,
// other content) goes to report_conflict with its attachment; an attachment
// none of whose reports was stored or conflicted is not kept. Must never name a report kind, never
// build SQL from report data, never store part of a message, and never let a pqxx exception escape.
#include "kinds/writer.hpp"
#include "pg_errors.hpp"
#include "pool.hpp"

#include <rua/errors.hpp>
#include <rua/store.hpp>

#include <pqxx/pqxx>

#include <algorithm>
#include <deque>
#include <map>

namespace rua {
namespace {

// Insert-or-find an attachment before its reports, which then point at it
// as they are inserted (no UPDATE). It finds nothing when a concurrent
// transaction committed the same attachment after this statement's
// snapshot: then rua_find_raw, a new statement, sees it. The third column
// says whether this call inserted the row.
constexpr const char* k_insert_raw =
    "WITH ins AS (INSERT INTO raw_report (data, content_type, filename, format, account_id) "
    "VALUES ($1, $2, $3, $4, (SELECT account_id FROM rua_address WHERE address = $5)) "
    "ON CONFLICT (sha256, month) DO NOTHING RETURNING id) "
    "SELECT id, true FROM ins "
    "UNION ALL SELECT id, false FROM raw_report WHERE sha256 = sha256($1::bytea) "
    "AND month = (date_trunc('month', now() AT TIME ZONE 'UTC'))::date LIMIT 1";
constexpr const char* k_find_raw =
    "SELECT id, false FROM raw_report WHERE sha256 = sha256($1) "
    "AND month = (date_trunc('month', now() AT TIME ZONE 'UTC'))::date";
// An attachment this transaction inserted but none of whose reports was
// stored (all duplicates sent in new bytes) is not kept.
constexpr const char* k_drop_raw = "DELETE FROM raw_report WHERE id = $1";
// A conflicting copy, kept once per (kind, stored report, fingerprint)
// (sql/0009_report_conflict.sql): a repeated delivery adds nothing.
constexpr const char* k_insert_conflict =
    "INSERT INTO report_conflict (kind, report_key, stored_report_id, fingerprint, "
    "raw_report_id, via, rua, file, queue_id) "
    "VALUES ($1, $2::jsonb, $3, sha256($4::bytea), $5, $6, $7, $8, $9) "
    "ON CONFLICT (kind, stored_report_id, fingerprint) DO NOTHING RETURNING id";

const char* opt(const OptString& value) {
    return value ? value->c_str() : nullptr;
}

void check_text(const char* field, const OptString& value) {
    if (value && value->find('\0') != std::string::npos) {
        throw BadInput(std::string("database refused the report: NUL byte in ") + field);
    }
}

// The raw_report row of one attachment, kept or found.
struct RawRow {
    std::int64_t id = 0;
    bool inserted = false; // by this transaction
    bool used = false;     // by a report stored in this transaction
};

RawRow put_raw(pqxx::work& tx, std::string_view bytes, const Attachment& a, const OptString& rua) {
    const pqxx::binarystring data(bytes.data(), bytes.size());
    auto rows = tx.exec_prepared("rua_insert_raw", data, opt(a.content_type), opt(a.filename),
                                 a.format, opt(rua));
    if (rows.empty()) {
        rows = tx.exec_prepared("rua_find_raw", data);
    }
    if (rows.empty()) {
        throw TryLater("raw attachment vanished while storing");
    }
    return RawRow{rows[0][0].as<std::int64_t>(), rows[0][1].as<bool>(), false};
}

MessageOutcome store_in(pqxx::connection& conn, const IngestResult& result, const Arrival& arrival,
                        Privacy privacy, const StoreJob& job) {
    conn.prepare("rua_insert_raw", k_insert_raw);
    conn.prepare("rua_find_raw", k_find_raw);
    conn.prepare("rua_drop_raw", k_drop_raw);
    conn.prepare("rua_insert_conflict", k_insert_conflict);
    for (const auto& report : result.reports) {
        detail::writer_for(report->kind()).prepare(conn);
    }
    pqxx::work tx(conn);
    limit_transaction(tx, job);
    MessageOutcome outcome;
    // One batch per kind, in the order kinds first appear.
    std::vector<std::pair<const detail::Writer*, std::unique_ptr<detail::WriteBatch>>> batches;
    const auto batch_for = [&](const detail::Writer& writer) -> detail::WriteBatch& {
        for (auto& [w, batch] : batches) {
            if (w == &writer) {
                return *batch;
            }
        }
        batches.emplace_back(&writer, writer.begin(tx));
        return *batches.back().second;
    };
    // Every raw row this message touches (stable addresses); an attachment
    // kept as received is put once, a report's own private form each time.
    std::deque<RawRow> raws;
    std::map<std::size_t, RawRow*> by_attachment;
    for (const auto& report : result.reports) {
        RawRow* raw = nullptr;
        if (report->attachment < result.attachments.size()) {
            const Attachment& attachment = result.attachments[report->attachment];
            if (auto kept = report->private_form(privacy)) {
                raw = &raws.emplace_back(put_raw(tx, *kept, attachment, arrival.rua));
            } else if (auto found = by_attachment.find(report->attachment);
                       found != by_attachment.end()) {
                raw = found->second;
            } else {
                raw = &raws.emplace_back(put_raw(tx, attachment.bytes, attachment, arrival.rua));
                by_attachment.emplace(report->attachment, raw);
            }
        }
        const detail::Writer& writer = detail::writer_for(report->kind());
        const StoredReport stored = batch_for(writer).add(
            *report, raw ? std::optional(raw->id) : std::nullopt, arrival, privacy);
        if (stored.outcome == ReportOutcome::stored) {
            if (raw != nullptr) {
                raw->used = true;
            }
            outcome.items_stored += report->items();
        } else if (stored.outcome == ReportOutcome::conflict) {
            // The first copy stays; this one is kept beside it, raw bytes
            // too, unless the same copy was kept before.
            const std::string fingerprint_bytes = report->fingerprint();
            const pqxx::binarystring fingerprint(fingerprint_bytes.data(),
                                                 fingerprint_bytes.size());
            const std::string raw_text = raw != nullptr ? std::to_string(raw->id) : std::string();
            const auto kept = tx.exec_prepared(
                "rua_insert_conflict", std::string(report->kind()), writer.conflict_key(*report),
                stored.id, fingerprint, raw != nullptr ? raw_text.c_str() : nullptr, arrival.via,
                opt(arrival.rua), opt(arrival.file), opt(arrival.queue_id));
            if (!kept.empty() && raw != nullptr) {
                raw->used = true;
            }
        }
        outcome.reports.push_back(stored);
    }
    for (auto& [writer, batch] : batches) {
        batch->finish();
    }
    for (const auto& raw : raws) {
        if (raw.inserted && !raw.used) {
            tx.exec_prepared("rua_drop_raw", raw.id);
        }
    }
    check_job(job); // a cancel between statements: roll back, not commit
    tx.commit();
    return outcome;
}

} // namespace

const char* to_string(ReportOutcome outcome) {
    switch (outcome) {
    case ReportOutcome::stored:
        return "stored";
    case ReportOutcome::duplicate:
        return "duplicate";
    case ReportOutcome::conflict:
        return "conflict";
    }
    return "?";
}

std::size_t MessageOutcome::stored() const {
    std::size_t n = 0;
    for (const auto& r : reports) {
        n += r.outcome == ReportOutcome::stored ? 1 : 0;
    }
    return n;
}

std::size_t MessageOutcome::duplicates() const {
    return static_cast<std::size_t>(
        std::count_if(reports.begin(), reports.end(),
                      [](const StoredReport& r) { return r.outcome == ReportOutcome::duplicate; }));
}

std::size_t MessageOutcome::conflicts() const {
    return static_cast<std::size_t>(
        std::count_if(reports.begin(), reports.end(),
                      [](const StoredReport& r) { return r.outcome == ReportOutcome::conflict; }));
}

MessageOutcome Store::store(const IngestResult& result, const Arrival& arrival, Privacy privacy,
                            const StoreJob& job) {
    for (const auto& report : result.reports) {
        detail::writer_for(report->kind()).check(*report);
    }
    check_text("rua", arrival.rua);
    check_text("file", arrival.file);
    check_text("queue_id", arrival.queue_id);
    if (result.reports.empty()) {
        return MessageOutcome{};
    }
    return with_connection(m_pool, job, [&](pqxx::connection& conn) {
        return store_in(conn, result, arrival, privacy, job);
    });
}

} // namespace rua
