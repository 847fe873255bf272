// The quarantine as the operator sees it: list, show, fetch the raw message,
// reprocess through process_message (the milter's own decision path) and
// purge. Never changes a row's raw message or reason; a
// reprocessed row is only marked resolved, with the ids of its reports.
#include "store/admin_detail.hpp"

#include <rua/ingest.hpp>
#include <rua/process.hpp>

#include <fmt/format.h>

namespace rua {

namespace {

constexpr const char* k_columns =
    "id, extract(epoch FROM received_at)::bigint, via, rua, file, queue_id, reason, detail, "
    "size, extract(epoch FROM resolved_at)::bigint, resolved_report_ids";

OptString optional_text(const pqxx::field& field) {
    return field.is_null() ? OptString() : OptString(field.as<std::string>());
}

QuarantineEntry to_entry(const pqxx::row& row) {
    QuarantineEntry entry;
    entry.id = row[0].as<std::int64_t>();
    entry.received_at = row[1].as<std::int64_t>();
    entry.via = row[2].as<std::string>();
    entry.rua = optional_text(row[3]);
    entry.file = optional_text(row[4]);
    entry.queue_id = optional_text(row[5]);
    entry.reason = row[6].as<std::string>();
    entry.detail = optional_text(row[7]);
    entry.size = row[8].as<std::int64_t>();
    if (!row[9].is_null()) {
        entry.resolved_at = row[9].as<std::int64_t>();
    }
    entry.resolved_report_ids = detail::parse_bigint_array(row[10]);
    return entry;
}

struct Pending {
    std::int64_t id = 0;
    std::string raw;
    Arrival arrival;
};

} // namespace

std::vector<QuarantineEntry> Admin::quarantine_list(std::size_t limit, bool all) {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto rows =
            tx.exec_params(fmt::format("SELECT {} FROM quarantine {} ORDER BY id DESC LIMIT $1",
                                       k_columns, all ? "" : "WHERE resolved_at IS NULL"),
                           static_cast<std::int64_t>(limit));
        std::vector<QuarantineEntry> out;
        for (const auto& row : rows) {
            out.push_back(to_entry(row));
        }
        return out;
    });
}

QuarantineEntry Admin::quarantine_get(std::int64_t id) {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto rows =
            tx.exec_params(fmt::format("SELECT {} FROM quarantine WHERE id = $1", k_columns), id);
        if (rows.empty()) {
            throw NotFound(fmt::format("quarantine {} does not exist", id));
        }
        return to_entry(rows[0]);
    });
}

std::string Admin::quarantine_raw(std::int64_t id) {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto rows = tx.exec_params("SELECT raw FROM quarantine WHERE id = $1", id);
        if (rows.empty()) {
            throw NotFound(fmt::format("quarantine {} does not exist", id));
        }
        return pqxx::binarystring(rows[0][0]).str();
    });
}

ReprocessCounts Admin::quarantine_reprocess(const std::vector<std::int64_t>& ids,
                                            const Limits& limits, Privacy privacy) {
    ReprocessCounts counts;
    std::vector<std::int64_t> todo;
    detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        if (ids.empty()) {
            for (const auto& row :
                 tx.exec("SELECT id FROM quarantine WHERE resolved_at IS NULL ORDER BY id")) {
                todo.push_back(row[0].as<std::int64_t>());
            }
            return;
        }
        for (const auto id : ids) {
            const auto rows =
                tx.exec_params("SELECT resolved_at IS NULL FROM quarantine WHERE id = $1", id);
            if (rows.empty()) {
                ++counts.skipped;
                counts.messages.push_back(fmt::format("quarantine {}: does not exist", id));
            } else if (!rows[0][0].as<bool>()) {
                ++counts.skipped;
                counts.messages.push_back(fmt::format("quarantine {}: already resolved", id));
            } else {
                todo.push_back(id);
            }
        }
    });

    Store store(m_pool);
    std::optional<Registry> registry;
    for (const auto id : todo) {
        const auto pending = detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
            const auto row = tx.exec_params1(
                "SELECT raw, via, rua, file, queue_id FROM quarantine WHERE id = $1", id);
            Pending p;
            p.id = id;
            p.raw = pqxx::binarystring(row[0]).str();
            p.arrival.via = row[1].as<std::string>();
            p.arrival.rua = optional_text(row[2]);
            p.arrival.file = optional_text(row[3]);
            p.arrival.queue_id = optional_text(row[4]);
            return p;
        });
        const auto fail = [&](const std::string& why) {
            ++counts.still_failing;
            counts.messages.push_back(fmt::format("quarantine {}: {}", id, why));
        };
        // The one decision path, as at SMTP time: the rua's domain check
        // applies; a rua that has been removed since imposes none. A message
        // that still fails finds its own unresolved row (same bytes, same
        // rua) instead of adding one.
        if (pending.arrival.rua && !registry) {
            registry = store.load_registry();
        }
        ProcessOptions options;
        options.privacy = privacy;
        if (pending.arrival.rua) {
            if (const RuaEntry* entry = registry->find(*pending.arrival.rua)) {
                options.ruas.push_back(*entry);
            }
        }
        const ProcessResult result =
            process_message(store, pending.raw, limits, pending.arrival, options);
        if (result.verdict == Verdict::try_later) {
            throw TryLater(result.reason);
        }
        if (result.verdict != Verdict::stored && result.verdict != Verdict::duplicate) {
            fail(fmt::format("{}: {}", result.reason_code, result.reason));
            continue;
        }
        if (!result.bad_parts.empty()) {
            // Its good reports are stored now; the bad part still fails, so
            // the row (found again: same bytes, same rua) stays open.
            fail(fmt::format("bad_part: {}", fmt::join(result.bad_parts, "; ")));
            continue;
        }
        const MessageOutcome& outcome = result.outcome;
        std::vector<std::int64_t> report_ids;
        for (const auto& stored : outcome.reports) {
            report_ids.push_back(stored.id);
        }
        detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
            tx.exec_params("UPDATE quarantine SET resolved_at = now(), "
                           "resolved_report_ids = $2::bigint[] "
                           "WHERE id = $1 AND resolved_at IS NULL",
                           id, detail::bigint_array(report_ids));
        });
        if (outcome.stored() > 0) {
            ++counts.stored;
        } else {
            ++counts.duplicate;
        }
    }
    return counts;
}

std::size_t Admin::quarantine_purge_older(std::int64_t age_seconds) {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        return static_cast<std::size_t>(
            tx.exec_params("DELETE FROM quarantine "
                           "WHERE received_at < now() - $1::bigint * interval '1 second'",
                           age_seconds)
                .affected_rows());
    });
}

std::size_t Admin::quarantine_purge_ids(const std::vector<std::int64_t>& ids) {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        return static_cast<std::size_t>(
            tx.exec_params("DELETE FROM quarantine WHERE id = ANY($1::bigint[])",
                           detail::bigint_array(ids))
                .affected_rows());
    });
}

} // namespace rua
