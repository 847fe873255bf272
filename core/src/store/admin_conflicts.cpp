// Conflicting copies as the operator sees them (`ruactl conflicts list`):
// read-only over report_conflict (sql/0009_report_conflict.sql). Never
// changes a row: deciding a conflict is a later release's work.
#include "store/admin_detail.hpp"

#include <fmt/format.h>

namespace rua {

namespace {

OptString optional_text(const pqxx::field& field) {
    return field.is_null() ? OptString() : OptString(field.as<std::string>());
}

} // namespace

std::vector<ConflictEntry> Admin::conflicts(const std::optional<std::string>& kind,
                                            std::size_t limit) {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto rows = tx.exec_params(
            "SELECT id, kind, report_key::text, stored_report_id, encode(fingerprint, 'hex'), "
            "raw_report_id, extract(epoch FROM received_at)::bigint, via, rua, file, queue_id, "
            "resolution FROM report_conflict WHERE ($1::text IS NULL OR kind = $1) "
            "ORDER BY id LIMIT $2",
            kind ? kind->c_str() : nullptr, static_cast<std::int64_t>(limit));
        std::vector<ConflictEntry> out;
        for (const auto& row : rows) {
            ConflictEntry entry;
            entry.id = row[0].as<std::int64_t>();
            entry.kind = row[1].as<std::string>();
            entry.report_key = row[2].as<std::string>();
            entry.stored_report_id = row[3].as<std::int64_t>();
            entry.fingerprint = row[4].as<std::string>();
            if (!row[5].is_null()) {
                entry.raw_report_id = row[5].as<std::int64_t>();
            }
            entry.received_at = row[6].as<std::int64_t>();
            entry.via = row[7].as<std::string>();
            entry.rua = optional_text(row[8]);
            entry.file = optional_text(row[9]);
            entry.queue_id = optional_text(row[10]);
            entry.resolution = optional_text(row[11]);
            out.push_back(std::move(entry));
        }
        return out;
    });
}

} // namespace rua
