// Internal: the template body of with_connection (pool.hpp). Kept apart so
// pool.hpp stays a readable interface. Must stay free of store logic.
#pragma once

#include "pg_errors.hpp"

#include <rua/cancel.hpp>

#include <pqxx/except>

#include <type_traits>

namespace rua {

namespace detail {

// Runs `work` on the lease, then lets the lease refuse a commit that the
// synchronous standby never confirmed (ConnectionLease::check_replicated).
template <typename Work>
auto run_checked(ConnectionLease& lease, Work& work)
    -> std::invoke_result_t<Work&, pqxx::connection&> {
    if constexpr (std::is_void_v<std::invoke_result_t<Work&, pqxx::connection&>>) {
        work(lease.conn());
        lease.check_replicated();
    } else {
        auto result = work(lease.conn());
        lease.check_replicated();
        return result;
    }
}

} // namespace detail

template <typename Work>
auto with_connection(ConnectionPool& pool, Work&& work)
    -> std::invoke_result_t<Work&, pqxx::connection&> {
    for (int attempt = 0;; ++attempt) {
        ConnectionLease lease = pool.impl().acquire();
        try {
            return detail::run_checked(lease, work);
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

namespace detail {

// While alive, `job.cancel` (if any) cancels the lease's running statement;
// on destruction the hook is detached and, if it fired, the connection is
// dropped (a late cancel must never hit the next job on that connection).
class CancelScope {
public:
    CancelScope(const StoreJob& job, ConnectionLease& lease) : m_job(job), m_lease(lease) {
        if (m_job.cancel) {
            pqxx::connection& conn = lease.conn();
            if (!m_job.cancel->attach([&conn] { conn.cancel_query(); })) {
                check_job(m_job); // already cancelled: throws TryLater
            }
        }
    }
    ~CancelScope() {
        if (m_job.cancel && m_job.cancel->detach()) {
            m_lease.mark_broken();
        }
    }
    CancelScope(const CancelScope&) = delete;
    CancelScope& operator=(const CancelScope&) = delete;
    CancelScope(CancelScope&&) = delete;
    CancelScope& operator=(CancelScope&&) = delete;

private:
    const StoreJob& m_job;
    ConnectionLease& m_lease;
};

} // namespace detail

template <typename Work>
auto with_connection(ConnectionPool& pool, const StoreJob& job, Work&& work)
    -> std::invoke_result_t<Work&, pqxx::connection&> {
    for (int attempt = 0;; ++attempt) {
        check_job(job);
        ConnectionLease lease = pool.impl().acquire(job.deadline);
        try {
            const detail::CancelScope scope(job, lease);
            return detail::run_checked(lease, work);
        } catch (const pqxx::broken_connection&) {
            lease.mark_broken();
            if (lease.fresh() || attempt > 0) {
                rethrow_for_job(job);
            }
        } catch (...) {
            lease.mark_broken();
            rethrow_for_job(job);
        }
    }
}

} // namespace rua
