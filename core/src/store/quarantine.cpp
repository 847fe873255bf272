// Store::quarantine: keeps a whole message that yielded no storable report,
// with a short reason and the error text, for an operator to inspect or
// reprocess; once per (bytes, rua) while unresolved, even between racing
// callers. Must succeed for any bytes: the raw message is bytea, and text
// fields are made valid UTF-8 without NUL before they are sent.
#include "pool.hpp"

#include <rua/errors.hpp>
#include <rua/store.hpp>

#include <pqxx/pqxx>

namespace rua {
namespace {

// Bytes that are not well-formed UTF-8 (or are NUL) become '?': an error
// text may quote a sender's bytes, and the quarantine must not fail on them.
std::string printable_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = 0;
        if (c >= 0x01 && c < 0x80) {
            len = 1;
        } else if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
        }
        bool ok = len > 0 && i + len <= text.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
        }
        if (ok && len >= 3) {
            // No overlong forms, surrogates or code points past U+10FFFF.
            const auto c1 = static_cast<unsigned char>(text[i + 1]);
            ok = !((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) ||
                   (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90));
        }
        if (ok) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out.push_back('?');
            ++i;
        }
    }
    return out;
}

std::optional<std::string> printable(const OptString& text) {
    if (!text) {
        return std::nullopt;
    }
    return printable_utf8(*text);
}

const char* opt(const std::optional<std::string>& value) {
    return value ? value->c_str() : nullptr;
}

// Insert, or find the unresolved row with the same bytes and rua. The
// conflict target repeats the index quarantine_unresolved_once
// (sql/0004_quarantine.sql): keep the two identical.
constexpr const char* k_insert_once =
    "WITH ins AS (INSERT INTO quarantine (via, rua, file, queue_id, reason, detail, raw) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (raw_sha256, (coalesce(rua, ''))) WHERE resolved_at IS NULL DO NOTHING "
    "RETURNING id) "
    "SELECT id FROM ins "
    "UNION ALL SELECT id FROM quarantine WHERE raw_sha256 = sha256($7::bytea) "
    "AND coalesce(rua, '') = coalesce($2, '') AND resolved_at IS NULL "
    "LIMIT 1";

// ON CONFLICT waits for a racing insert of the same row to commit, but the
// statement's snapshot predates that commit, so its SELECT may find nothing;
// the next statement sees it. An empty answer repeats only when the row was
// resolved or deleted in between, so a few rounds are plenty.
constexpr int k_insert_rounds = 3;

} // namespace

std::int64_t Store::quarantine(std::string_view raw_message, std::string_view reason,
                               std::string_view detail, const Arrival& arrival,
                               const StoreJob& job) {
    const auto via = printable_utf8(arrival.via);
    const auto rua = printable(arrival.rua);
    const auto file = printable(arrival.file);
    const auto queue_id = printable(arrival.queue_id);
    const auto why = printable_utf8(reason);
    const auto text = printable_utf8(detail);
    return with_connection(m_pool, job, [&](pqxx::connection& conn) {
        // Prepared once per connection: pqxx 6.4 sends the PREPARE on first
        // use and ignores an identical definition afterwards.
        conn.prepare("rua_quarantine_once", k_insert_once);
        pqxx::work tx(conn);
        limit_transaction(tx, job);
        const pqxx::binarystring raw(raw_message.data(), raw_message.size());
        for (int round = 0; round < k_insert_rounds; ++round) {
            const auto rows =
                tx.exec_prepared("rua_quarantine_once", via, opt(rua), opt(file), opt(queue_id),
                                 why, text.empty() ? nullptr : text.c_str(), raw);
            if (!rows.empty()) {
                check_job(job);
                tx.commit();
                return rows[0][0].as<std::int64_t>();
            }
        }
        throw TryLater("quarantine row for this message kept changing; try again");
    });
}

} // namespace rua
