// Store::store: one message, one transaction. Each report's attachment is
// inserted (or found, once per sha256) first, then the report goes to its
// kind's writer, which inserts it with ON CONFLICT DO NOTHING on its
// exactly-once key, pointing at the attachment; a conflicting copy (same key,
// other content) goes to report_conflict with its attachment; an attachment
// none of whose reports was stored or conflicted is not kept. Must never name a report kind, never
// build SQL from report data, never store part of a message, and never let a pqxx exception escape.
#include "base64_source.hpp"
#include "displace.hpp"
#include "handoff.hpp"
#include "kinds/writer.hpp"
#include "pg_errors.hpp"
#include "piece_reader.hpp"
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
// The conflicting copy's authenticity ($10, $11) is recorded with it; when
// the stored copy is authenticated and this one is not, authenticity decided
// and the row says so ('kept', sql/0017).
constexpr const char* k_insert_conflict =
    "INSERT INTO report_conflict (kind, report_key, stored_report_id, fingerprint, "
    "raw_report_id, via, rua, file, queue_id, authenticity, authserv_id, resolution, "
    "resolved_at) "
    "SELECT $1, $2::jsonb, $3, sha256($4::bytea), $5, $6, $7, $8, $9, $10, $11, k, "
    "CASE WHEN k IS NOT NULL THEN now() END "
    "FROM (SELECT CASE WHEN rua_report_authenticity($1, $3) IN ('dmarc-pass', 'dkim-aligned') "
    "AND $10 NOT IN ('dmarc-pass', 'dkim-aligned') THEN 'kept' END AS k) AS d "
    "ON CONFLICT (kind, stored_report_id, fingerprint) DO NOTHING RETURNING id";
// The same with the fingerprint's digest computed here (a streamed report).
constexpr const char* k_insert_conflict_digest =
    "INSERT INTO report_conflict (kind, report_key, stored_report_id, fingerprint, "
    "raw_report_id, via, rua, file, queue_id, authenticity, authserv_id, resolution, "
    "resolved_at) "
    "SELECT $1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9, $10, $11, k, "
    "CASE WHEN k IS NOT NULL THEN now() END "
    "FROM (SELECT CASE WHEN rua_report_authenticity($1, $3) IN ('dmarc-pass', 'dkim-aligned') "
    "AND $10 NOT IN ('dmarc-pass', 'dkim-aligned') THEN 'kept' END AS k) AS d "
    "ON CONFLICT (kind, stored_report_id, fingerprint) DO NOTHING RETURNING id";
// A large attachment goes through a large object (written in chunks, then
// copied into raw_report by the server) instead of one bytea parameter,
// which libpqxx and libpq would each copy whole.
constexpr std::size_t k_large_raw_bytes = 1u << 20;
constexpr std::size_t k_large_raw_chunk = 1u << 18;
constexpr std::size_t k_large_raw_ahead = 3;
constexpr const char* k_find_raw_digest =
    "SELECT id, false FROM raw_report WHERE sha256 = $1 "
    "AND month = (date_trunc('month', now() AT TIME ZONE 'UTC'))::date";
constexpr const char* k_insert_raw_object =
    "INSERT INTO raw_report (data, content_type, filename, format, account_id) "
    "SELECT lo_get($1::oid), $2, $3, $4, (SELECT account_id FROM rua_address WHERE address = $5) "
    "ON CONFLICT (sha256, month) DO NOTHING RETURNING id, true";
constexpr const char* k_unlink_object = "SELECT lo_unlink($1::oid)";
// A large object's pages (2 KB each, past the inline compression threshold)
// are compressed with the session's default_toast_compression, pglz unless
// set: lz4 for this transaction, when the server has it, as raw_report's
// column (sql/0014). Importing the 17 MB plain-XML report took 0.92x the
// time, the five 20k-record reports 0.97x (pairwise medians of 8 pairs).
constexpr const char* k_objects_lz4 =
    "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
    "WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)";

void prepare_store(pqxx::connection& conn) {
    conn.prepare("rua_insert_raw", k_insert_raw);
    conn.prepare("rua_find_raw", k_find_raw);
    conn.prepare("rua_find_raw_digest", k_find_raw_digest);
    conn.prepare("rua_insert_raw_object", k_insert_raw_object);
    conn.prepare("rua_unlink_object", k_unlink_object);
    conn.prepare("rua_objects_lz4", k_objects_lz4);
    conn.prepare("rua_drop_raw", k_drop_raw);
    conn.prepare("rua_insert_conflict", k_insert_conflict);
    conn.prepare("rua_insert_conflict_digest", k_insert_conflict_digest);
    detail::prepare_displace(conn);
}

const char* opt(const OptString& value) {
    return value ? value->c_str() : nullptr;
}

void check_text(const char* field, const OptString& value) {
    if (value && value->find('\0') != std::string::npos) {
        throw DatabaseRefused(std::string("database refused the report: NUL byte in ") + field);
    }
}

// The raw_report row of one attachment, kept or found.
struct RawRow {
    std::int64_t id = 0;
    bool inserted = false; // by this transaction
    bool used = false;     // by a report stored in this transaction
};

RawRow put_raw_object(pqxx::dbtransaction& tx, const AttachmentBytes& bytes, const Attachment& a,
                      const OptString& rua) {
    // One pass over the bytes (a large base64 part is decoded again for
    // it): another thread decodes and hashes them a few pieces ahead while
    // this one writes them; an attachment found kept already (rare: the
    // same bytes sent again) costs its large object.
    std::int64_t oid = 0;
    std::string digest_bytes;
    tx.exec_prepared("rua_objects_lz4");
    {
        detail::PieceReader pieces(bytes, k_large_raw_chunk, k_large_raw_ahead);
        // Closed before it is read and unlinked.
        pqxx::largeobjectaccess object(tx, std::ios::out);
        std::string piece;
        while (pieces.next(piece)) {
            object.write(piece.data(), static_cast<pqxx::largeobject::size_type>(piece.size()));
        }
        digest_bytes = pieces.digest();
        oid = static_cast<std::int64_t>(object.id());
    }
    const pqxx::binarystring digest(digest_bytes.data(), digest_bytes.size());
    auto rows = tx.exec_prepared("rua_find_raw_digest", digest);
    if (rows.empty()) {
        rows = tx.exec_prepared("rua_insert_raw_object", oid, opt(a.content_type), opt(a.filename),
                                a.format, opt(rua));
        if (rows.empty()) {
            rows = tx.exec_prepared("rua_find_raw_digest", digest);
        }
    }
    tx.exec_prepared("rua_unlink_object", oid);
    if (rows.empty()) {
        throw TryLater("raw attachment vanished while storing");
    }
    return RawRow{rows[0][0].as<std::int64_t>(), rows[0][1].as<bool>(), false};
}

RawRow put_raw_small(pqxx::dbtransaction& tx, std::string_view bytes, const Attachment& a,
                     const OptString& rua);

// An attachment's row, from its bytes in chunks: a large one, or one not
// held whole (a large base64 part), through a large object, never held
// whole here.
RawRow put_raw_chunked(pqxx::dbtransaction& tx, const AttachmentBytes& bytes, const Attachment& a,
                       const OptString& rua) {
    if (const auto whole = bytes.whole(); whole && whole->size() < k_large_raw_bytes) {
        return put_raw_small(tx, *whole, a, rua);
    }
    return put_raw_object(tx, bytes, a, rua);
}

RawRow put_raw(pqxx::dbtransaction& tx, std::string_view bytes, const Attachment& a,
               const OptString& rua) {
    return put_raw_chunked(tx, detail::HeldBytes(bytes), a, rua);
}

RawRow put_raw_small(pqxx::dbtransaction& tx, std::string_view bytes, const Attachment& a,
                     const OptString& rua) {
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

const char* authserv_text(const Report& report) {
    return report.authserv_id.empty() ? nullptr : report.authserv_id.c_str();
}

// A conflict (same key, other content) where this copy is authenticated
// and the stored one is not: the stored copy leaves its kind's table and
// is kept in report_conflict (resolution 'replaced'), this one is stored in
// its place. Otherwise the first copy stays and `stored` is returned as is.
StoredReport replace_if_authentic(pqxx::work& tx, const detail::Writer& writer,
                                  detail::WriteBatch& batch, const Report& report,
                                  const StoredReport& stored, std::optional<std::int64_t> raw_id,
                                  const Arrival& arrival, Privacy privacy) {
    if (!detail::displaces(tx, report, stored.id)) {
        return stored;
    }
    const auto old = detail::displace(tx, report.kind(), stored.id);
    const StoredReport placed = batch.add(report, raw_id, arrival, privacy);
    if (placed.outcome != ReportOutcome::stored) {
        throw TryLater("a report's key was taken again while it was replaced");
    }
    detail::settle_displaced(tx, report.kind(), writer.conflict_key(report), old, placed.id,
                             report.fingerprint_sha256());
    return placed;
}

// The reports of `result` not streamed already, in the caller's transaction.
// `streamed` holds the outcomes of those that were, in their order.
MessageOutcome write_reports(pqxx::work& tx, const IngestResult& result, const Arrival& arrival,
                             Privacy privacy, std::deque<StoredReport> streamed) {
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
        if (report->streamed) {
            if (streamed.empty()) {
                throw std::logic_error("a streamed report without an outcome");
            }
            const StoredReport stored = streamed.front();
            streamed.pop_front();
            if (stored.outcome == ReportOutcome::stored) {
                outcome.items_stored += report->items();
            }
            outcome.reports.push_back(stored);
            continue;
        }
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
        const std::optional<std::int64_t> raw_id = raw ? std::optional(raw->id) : std::nullopt;
        StoredReport stored = batch_for(writer).add(*report, raw_id, arrival, privacy);
        if (stored.outcome == ReportOutcome::conflict) {
            stored = replace_if_authentic(tx, writer, batch_for(writer), *report, stored, raw_id,
                                          arrival, privacy);
        }
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
                opt(arrival.rua), opt(arrival.file), opt(arrival.queue_id),
                to_string(report->authenticity), authserv_text(*report));
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
    return outcome;
}

void prepare_writers(pqxx::connection& conn, const IngestResult& result) {
    for (const auto& report : result.reports) {
        detail::writer_for(report->kind()).prepare(conn);
    }
}

MessageOutcome store_in(pqxx::connection& conn, const IngestResult& result, const Arrival& arrival,
                        Privacy privacy, const StoreJob& job) {
    prepare_store(conn);
    prepare_writers(conn, result);
    pqxx::work tx(conn);
    limit_transaction(tx, job);
    MessageOutcome outcome = write_reports(tx, result, arrival, privacy, {});
    check_job(job); // a cancel between statements: roll back, not commit
    tx.commit();
    return outcome;
}

// Writes the reports ingest delivers while parsing them (ReportSink) in the
// message's transaction, which it opens when the first one begins. Each
// report runs inside its own savepoint (plain SQL: libpqxx 6.4's
// subtransaction sets its savepoint only at its first exec(), after our
// prepared statements), released when the next one begins
// or when the message is finished: one that fails (abandon(), even after
// end() when its input's tail is corrupt) rolls back to it, the others stay.
class StreamSink final : public ReportSink {
public:
    StreamSink(ConnectionPool& pool, const StoreJob& job, const Arrival& arrival,
               const std::function<void(Report&)>& admit)
        : m_pool(pool), m_job(job), m_arrival(arrival), m_admit(admit) {}

    void begin(Report& report, const Attachment& meta, std::string_view bytes) override {
        begin_chunked(report, meta, detail::HeldBytes(bytes));
    }

    void begin_chunked(Report& report, const Attachment& meta,
                       const AttachmentBytes& bytes) override {
        if (m_admit) {
            m_admit(report);
        }
        guard([&] {
            open();
            settle();
            const detail::Writer& writer = detail::writer_for(report.kind());
            writer.prepare(m_lease->conn());
            m_tx->exec0("SAVEPOINT rua_stream");
            m_savepoint = true;
            m_raw = put_raw_chunked(*m_tx, bytes, meta, m_arrival.rua);
            m_conflict_key = writer.conflict_key(report);
            m_displaced.reset();
            m_batch = writer.stream(*m_tx, report, m_raw.id, m_arrival);
            // Its key is stored: an authenticated copy takes the place of an
            // unauthenticated one now, before its records are written.
            if (const auto existing = m_batch->existing();
                existing && detail::displaces(*m_tx, report, *existing)) {
                m_batch.reset(); // wrote nothing
                m_displaced = detail::displace(*m_tx, report.kind(), *existing);
                m_batch = writer.stream(*m_tx, report, m_raw.id, m_arrival);
                if (m_batch->existing()) {
                    throw TryLater("a report's key was taken again while it was replaced");
                }
            }
        });
        // The first batch, held with the head, goes as the others do: the
        // parser reads the second while it is written.
        items(report);
    }

    // The batch is taken (moved) and written on the handoff thread while
    // the parser reads the next one, which also keeps its part of the
    // fingerprint there; a failure is thrown at the next call.
    void items(Report& report) override {
        std::shared_ptr<const Report> batch = report.take_batch();
        m_handoff.post([this, batch] {
            guard([&] {
                batch->keep_released();
                m_batch->items(*batch);
            });
        });
    }

    void end(Report& report) override {
        m_handoff.wait();
        guard([&] {
            StoredReport stored = m_batch->end(report);
            m_batch.reset();
            if (m_displaced) {
                stored = settle_displaced(report, stored);
            }
            bool keep_raw = stored.outcome == ReportOutcome::stored;
            if (stored.outcome == ReportOutcome::conflict) {
                const std::string digest_bytes = report.fingerprint_sha256();
                const pqxx::binarystring digest(digest_bytes.data(), digest_bytes.size());
                // The stored copy stays (it is authenticated, or this one is
                // not): this one is kept here, as any conflict.
                const auto kept = m_tx->exec_prepared(
                    "rua_insert_conflict_digest", std::string(report.kind()), m_conflict_key,
                    stored.id, digest, m_raw.id, m_arrival.via, opt(m_arrival.rua),
                    opt(m_arrival.file), opt(m_arrival.queue_id), to_string(report.authenticity),
                    authserv_text(report));
                keep_raw = !kept.empty();
            }
            if (m_raw.inserted && !keep_raw) {
                m_tx->exec_prepared("rua_drop_raw", m_raw.id);
            }
            m_pending = stored;
        });
    }

    void abandon() noexcept override {
        static_cast<void>(m_handoff.drain()); // its failure is this one
        m_pending.reset();
        bool clean = !m_batch || m_batch->close();
        m_batch.reset();
        if (m_savepoint) {
            m_savepoint = false;
            try {
                if (clean) {
                    m_tx->exec0("ROLLBACK TO SAVEPOINT rua_stream");
                }
            } catch (...) {
                clean = false;
            }
        }
        m_broken = m_broken || !clean;
    }

    // True once a report began: the message's transaction is open.
    bool opened() const { return m_tx.has_value(); }

    // Releases the last report's savepoint; its outcome joins the others.
    void settle() {
        m_handoff.wait(); // nothing in hand after end() or abandon()
        if (m_broken) {
            throw TryLater("a large report's COPY could not be ended cleanly");
        }
        if (m_savepoint) {
            m_savepoint = false;
            m_tx->exec0("RELEASE SAVEPOINT rua_stream");
        }
        if (m_pending) {
            m_outcomes.push_back(*m_pending);
            m_pending.reset();
        }
    }

    // Writes the reports not streamed in the same transaction and commits.
    MessageOutcome finish(const IngestResult& result, Privacy privacy) {
        MessageOutcome outcome;
        guard([&] {
            settle();
            prepare_writers(m_lease->conn(), result);
            outcome = write_reports(*m_tx, result, m_arrival, privacy, m_outcomes);
            check_job(m_job);
            m_tx->commit();
            m_lease->check_replicated();
        });
        return outcome;
    }

    // After an exception: the connection is not reused.
    void fail() noexcept {
        static_cast<void>(m_handoff.drain());
        if (m_lease) {
            m_lease->mark_broken();
        }
    }

private:
    // The end of a copy that displaced the stored one at its beginning. The
    // same content after all (a duplicate): the stored copy comes back as it
    // was, as with a whole report, whose duplicate never displaces.
    // Otherwise the displaced copy is kept as a conflict resolved 'replaced'.
    StoredReport settle_displaced(const Report& report, const StoredReport& placed) {
        const detail::DisplacedCopy old = std::move(*m_displaced);
        m_displaced.reset();
        if (placed.outcome != ReportOutcome::stored) {
            throw std::logic_error("a displacing copy was not stored");
        }
        const std::string digest = report.fingerprint_sha256();
        if (digest == detail::displaced_digest(old)) {
            m_tx->exec0("ROLLBACK TO SAVEPOINT rua_stream");
            m_raw.inserted = false; // rolled back with it
            return StoredReport{ReportOutcome::duplicate, old.id};
        }
        detail::settle_displaced(*m_tx, report.kind(), m_conflict_key, old, placed.id, digest);
        return placed;
    }

    void open() {
        if (m_tx) {
            return;
        }
        check_job(m_job);
        m_lease.emplace(m_pool.impl().acquire(m_job.deadline));
        m_scope.emplace(m_job, *m_lease);
        prepare_store(m_lease->conn());
        m_tx.emplace(m_lease->conn());
        limit_transaction(*m_tx, m_job);
    }

    // Database errors as TryLater or BadInput (pg_errors.hpp); ours pass.
    template <typename Fn> void guard(Fn&& fn) {
        try {
            fn();
        } catch (const Error&) {
            throw;
        } catch (const std::logic_error&) {
            throw;
        } catch (...) {
            rethrow_for_job(m_job);
        }
    }

    ConnectionPool& m_pool;
    const StoreJob& m_job;
    const Arrival& m_arrival;
    const std::function<void(Report&)>& m_admit;
    // Declared in the order they must be built (destroyed in reverse).
    std::optional<ConnectionLease> m_lease;
    std::optional<detail::CancelScope> m_scope;
    std::optional<pqxx::work> m_tx;
    bool m_savepoint = false; // the current report's, not yet released
    std::unique_ptr<detail::StreamBatch> m_batch;
    RawRow m_raw;
    std::string m_conflict_key;
    std::optional<detail::DisplacedCopy> m_displaced; // the current report took its place
    std::optional<StoredReport> m_pending;
    std::deque<StoredReport> m_outcomes;
    bool m_broken = false;
    // Last: destroyed first, it waits for the batch in hand, which uses
    // the members above.
    detail::Handoff m_handoff;
};

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

namespace rua {

MessageOutcome Store::ingest_and_store(std::string_view raw, const Limits& limits,
                                       std::string_view source_name, const Arrival& arrival,
                                       Privacy privacy, const StoreJob& job,
                                       const Admission& admission, IngestResult& result) {
    check_text("rua", arrival.rua);
    check_text("file", arrival.file);
    check_text("queue_id", arrival.queue_id);
    StreamSink sink(m_pool, job, arrival, admission.report);
    try {
        result = ingest(raw, limits, source_name, &sink);
        if (sink.opened()) {
            sink.settle();
        }
        if (admission.message) {
            admission.message(result);
        }
        try {
            for (const auto& report : result.reports) {
                if (!report->streamed) {
                    detail::writer_for(report->kind()).check(*report);
                }
            }
            if (!sink.opened()) {
                return store(result, arrival, privacy, job);
            }
            return sink.finish(result, privacy);
        } catch (const DatabaseRefused&) {
            throw;
        } catch (const BadInput& e) {
            throw DatabaseRefused(e.what());
        }
    } catch (...) {
        sink.fail();
        throw;
    }
}

} // namespace rua
