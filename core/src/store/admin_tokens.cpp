// API tokens for rua-web (`ruactl token add|list|revoke`, sql/0013): makes a
// token from the kernel's random bytes, stores only its sha256, lists and
// revokes tokens. Must never store, log or return a token's text but once,
// from add_token, nor ever return a hash.
#include "sha256.hpp"
#include "store/admin_detail.hpp"

#include <fmt/format.h>

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

namespace rua {

namespace {

constexpr std::size_t k_token_bytes = 32;
constexpr std::size_t k_max_label = 200;

// 32 bytes from getrandom(2) (blocks only until the kernel's pool is ready
// at boot), as "rua_" and 43 base64url characters without padding.
std::string new_token_text() {
    std::array<unsigned char, k_token_bytes> bytes{};
    std::size_t got = 0;
    while (got < bytes.size()) {
        const auto n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw Error(fmt::format("cannot read random bytes: {}",
                                    std::generic_category().message(errno)));
        }
        got += static_cast<std::size_t>(n);
    }
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string text = "rua_";
    unsigned bits = 0;
    int held = 0;
    for (const auto byte : bytes) {
        bits = (bits << 8U) | byte;
        held += 8;
        while (held >= 6) {
            held -= 6;
            text += k_alphabet[(bits >> static_cast<unsigned>(held)) & 0x3fU];
        }
    }
    if (held > 0) {
        text += k_alphabet[(bits << static_cast<unsigned>(6 - held)) & 0x3fU];
    }
    return text;
}

OptString checked_label(const OptString& label) {
    if (!label) {
        return label;
    }
    if (label->size() > k_max_label) {
        throw AdminError(
            fmt::format("label too long ({} bytes; at most {})", label->size(), k_max_label));
    }
    if (std::any_of(label->begin(), label->end(),
                    [](unsigned char c) { return c < ' ' || c == 0x7f; })) {
        throw AdminError("invalid label: control character");
    }
    return label;
}

std::int64_t account_id(pqxx::work& tx, const std::string& name) {
    const auto rows = tx.exec_params("SELECT id FROM account WHERE name = $1", name);
    if (rows.empty()) {
        throw NotFound(fmt::format("account \"{}\" does not exist", name));
    }
    return rows[0][0].as<std::int64_t>();
}

OptString optional_text(const pqxx::field& field) {
    if (field.is_null()) {
        return std::nullopt;
    }
    return field.as<std::string>();
}

} // namespace

std::string Admin::add_token(const std::optional<std::string>& account, const OptString& label) {
    const auto clean_label = checked_label(label);
    auto text = new_token_text();
    detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        std::optional<std::int64_t> id;
        if (account) {
            id = account_id(tx, *account);
        }
        tx.exec_params("INSERT INTO api_token (account_id, admin, label, hash) "
                       "VALUES ($1, $2, $3, decode($4, 'hex'))",
                       id, !account.has_value(), clean_label, detail::sha256_hex(text));
    });
    return text;
}

std::vector<TokenInfo> Admin::tokens(const std::optional<std::string>& account) {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        std::optional<std::int64_t> id;
        if (account) {
            id = account_id(tx, *account);
        }
        std::vector<TokenInfo> out;
        const auto rows = tx.exec_params(
            "SELECT t.id, a.name, t.label, extract(epoch FROM t.created_at)::bigint, "
            "       extract(epoch FROM t.revoked_at)::bigint "
            "  FROM api_token t LEFT JOIN account a ON a.id = t.account_id "
            " WHERE $1::bigint IS NULL OR t.account_id = $1 ORDER BY t.id",
            id);
        for (const auto& row : rows) {
            TokenInfo info;
            info.id = row[0].as<std::int64_t>();
            info.account = optional_text(row[1]);
            info.label = optional_text(row[2]);
            info.created_at = row[3].as<std::int64_t>();
            if (!row[4].is_null()) {
                info.revoked_at = row[4].as<std::int64_t>();
            }
            out.push_back(std::move(info));
        }
        return out;
    });
}

bool Admin::revoke_token(std::int64_t id) {
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        const auto rows =
            tx.exec_params("SELECT revoked_at IS NULL FROM api_token WHERE id = $1 FOR UPDATE", id);
        if (rows.empty()) {
            throw NotFound(fmt::format("token {} does not exist", id));
        }
        const bool active = rows[0][0].as<bool>();
        tx.exec_params(
            "UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", id);
        tx.exec_params("DELETE FROM web_session WHERE token_id = $1", id);
        return active;
    });
}

} // namespace rua
