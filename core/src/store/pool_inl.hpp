// Internal: the template body of with_connection (pool.hpp). Kept apart so
// pool.hpp stays a readable interface. Must stay free of store logic.
#pragma once

#include "pg_errors.hpp"

#include <pqxx/except>

namespace rua {

template <typename Work>
auto with_connection(ConnectionPool& pool, Work&& work)
    -> std::invoke_result_t<Work&, pqxx::connection&> {
    for (int attempt = 0;; ++attempt) {
        ConnectionLease lease = pool.impl().acquire();
        try {
            return work(lease.conn());
        } catch (const pqxx::broken_connection&) {
            lease.mark_broken();
            if (lease.fresh() || attempt > 0) {
                rethrow_as_rua_error();
            }
        } catch (...) {
            lease.mark_broken();
            rethrow_as_rua_error();
        }
    }
}

} // namespace rua
