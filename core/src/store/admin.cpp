// The admin session's connection and error translation, shared by the
// registry, quarantine and summary queries (admin_*.cpp). Holds no SQL of
// its own beyond what the guard needs; never lets a pqxx type escape.
#include "store/admin_detail.hpp"
#include "store/pg_errors.hpp"

#include <fmt/format.h>

namespace rua {

pqxx::connection& Admin::Impl::connection() {
    if (!conn || !conn->is_open()) {
        conn.reset();
        conn = std::make_unique<pqxx::connection>(conninfo);
    }
    return *conn;
}

Admin::Admin(ConnectionPool& pool) : m_pool(pool), m_impl(std::make_unique<Impl>()) {
    m_impl->conninfo = pool.conninfo();
}

Admin::~Admin() = default;

namespace detail {

namespace {

// SQLSTATEs that describe the server or the session, not the request:
// connection (08), resources (53), operator intervention (57P0x), and the
// transaction rollbacks a retry fixes (40001, 40P01).
bool is_transient(const std::string& state) {
    return state.rfind("08", 0) == 0 || state.rfind("53", 0) == 0 || state.rfind("57P0", 0) == 0 ||
           state == "40001" || state == "40P01";
}

} // namespace

void rethrow_database_error(Admin::Impl& impl) {
    try {
        throw;
    } catch (const pqxx::broken_connection& e) {
        impl.conn.reset();
        throw TryLater(fmt::format("database unavailable: {}", pg_reason(e.what())));
    } catch (const pqxx::in_doubt_error& e) {
        impl.conn.reset();
        throw TryLater(fmt::format("database unavailable: {}", pg_reason(e.what())));
    } catch (const pqxx::transaction_rollback& e) {
        throw TryLater(fmt::format("database busy: {}", pg_reason(e.what())));
    } catch (const pqxx::sql_error& e) {
        if (is_transient(e.sqlstate())) {
            impl.conn.reset();
            throw TryLater(fmt::format("database unavailable: {}", pg_reason(e.what())));
        }
        throw Error(fmt::format("database error: {}", pg_reason(e.what())));
    } catch (const pqxx::failure& e) {
        impl.conn.reset();
        throw TryLater(fmt::format("database unavailable: {}", pg_reason(e.what())));
    } catch (const pqxx::conversion_error& e) {
        throw Error(fmt::format("unexpected database value: {}", pg_reason(e.what())));
    } catch (const pqxx::usage_error& e) {
        throw std::logic_error(fmt::format("libpqxx usage: {}", e.what()));
    }
}

std::string bigint_array(const std::vector<std::int64_t>& values) {
    return fmt::format("{{{}}}", fmt::join(values, ","));
}

std::vector<std::int64_t> parse_bigint_array(const pqxx::field& field) {
    std::vector<std::int64_t> out;
    if (field.is_null()) {
        return out;
    }
    const auto text = field.as<std::string>();
    std::int64_t value = 0;
    bool have = false;
    bool negative = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            value = value * 10 + (c - '0');
            have = true;
        } else if (c == '-') {
            negative = true;
        } else {
            if (have) {
                out.push_back(negative ? -value : value);
            }
            value = 0;
            have = false;
            negative = false;
        }
    }
    if (have) {
        out.push_back(negative ? -value : value);
    }
    return out;
}

} // namespace detail
} // namespace rua
