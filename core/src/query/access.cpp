// Who is asking: API tokens and browser sessions, looked up by the sha256 of
// their text (the database never holds a token or a cookie itself). The
// sessions are the only rows rua-web writes. Must never log or return a
// token, a cookie or a hash.
#include "query/read.hpp"

namespace rua::query {

namespace {

std::optional<Principal> principal(const pqxx::result& rows) {
    if (rows.empty()) {
        return std::nullopt;
    }
    Principal who;
    who.token_id = rows[0][0].as<std::int64_t>();
    if (!rows[0][1].is_null()) {
        who.account_id = rows[0][1].as<std::int64_t>();
    }
    return who;
}

} // namespace

Queries::Queries(ConnectionPool& pool, std::int64_t statement_timeout_ms)
    : m_pool(pool), m_statement_timeout_ms(statement_timeout_ms) {}

std::optional<Principal> Queries::token_principal(std::string_view token) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        return principal(tx.exec_params("SELECT id, account_id FROM api_token "
                                        "WHERE hash = sha256(convert_to($1, 'UTF8')) "
                                        "AND revoked_at IS NULL",
                                        std::string(token)));
    });
}

std::optional<Principal> Queries::session_principal(std::string_view cookie) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        return principal(tx.exec_params("SELECT t.id, t.account_id FROM web_session s "
                                        "JOIN api_token t ON t.id = s.token_id "
                                        "WHERE s.hash = sha256(convert_to($1, 'UTF8')) "
                                        "AND s.expires_at > now() AND t.revoked_at IS NULL",
                                        std::string(cookie)));
    });
}

void Queries::session_create(const Principal& who, std::string_view cookie,
                             std::int64_t lifetime_seconds) {
    with_connection(m_pool, [&](pqxx::connection& conn) {
        pqxx::work tx{conn};
        detail::prepare_transaction(tx, m_statement_timeout_ms);
        // Expired sessions go when a new one comes: no timer needed.
        tx.exec("DELETE FROM web_session WHERE expires_at <= now()");
        tx.exec_params("INSERT INTO web_session (hash, token_id, expires_at) "
                       "VALUES (sha256(convert_to($1, 'UTF8')), $2, "
                       "now() + $3 * interval '1 second')",
                       std::string(cookie), who.token_id, lifetime_seconds);
        tx.commit();
    });
}

void Queries::session_delete(std::string_view cookie) {
    with_connection(m_pool, [&](pqxx::connection& conn) {
        pqxx::work tx{conn};
        detail::prepare_transaction(tx, m_statement_timeout_ms);
        tx.exec_params("DELETE FROM web_session WHERE hash = sha256(convert_to($1, 'UTF8'))",
                       std::string(cookie));
        tx.commit();
    });
}

} // namespace rua::query
