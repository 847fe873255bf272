// Internal to the store (and admin.cpp): the connection pool's implementation
// and the lease through which a caller borrows one pqxx::connection for one
// call. Included only by .cpp files under core/src/store and by db tests:
// pqxx must never leak into core/include.
#pragma once

#include <rua/store.hpp>

#include <pqxx/connection>
#include <pqxx/errorhandler>
#include <pqxx/transaction_base>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace rua {

class ConnectionLease;

// Watches one connection's notices for the server's word that a COMMIT
// stopped waiting for the synchronous standby ("canceling wait for
// synchronous replication": a cancel or statement_timeout hit the wait).
// PostgreSQL then reports success although the transaction is committed on
// the primary only and is lost with it: such an outcome counts as unknown.
class CommitWatch final : public pqxx::errorhandler {
public:
    explicit CommitWatch(pqxx::connection_base& conn) : pqxx::errorhandler(conn) {}
    bool operator()(const char msg[]) noexcept override;
    // Whether such a notice came since the last reset (same thread only).
    bool unreplicated() const { return m_unreplicated; }
    void reset() { m_unreplicated = false; }

private:
    bool m_unreplicated = false;
};

// A pooled connection and its watch; the watch unregisters before the
// connection closes (members are destroyed in reverse order).
struct PooledConnection {
    std::unique_ptr<pqxx::connection> conn;
    std::unique_ptr<CommitWatch> watch;
};

struct ConnectionPool::Impl {
    Impl(std::string conninfo, std::size_t size, std::chrono::milliseconds acquire_timeout);

    // Waits up to the acquire timeout for a free slot, then hands out an idle
    // connection or opens a new one. Throws TryLater("database connection
    // pool exhausted") on timeout, or TryLater with libpq's reason when the
    // server cannot be reached.
    // A `deadline` (none when default) shortens the wait: past it, TryLater
    // ("time limit reached while waiting for a database connection").
    ConnectionLease acquire(std::chrono::steady_clock::time_point deadline = {});
    // How many leases are out now.
    std::size_t leased() const;

    const std::string m_conninfo;
    const std::size_t m_size;
    const std::chrono::milliseconds m_timeout;

private:
    friend class ConnectionLease;
    void give_back(PooledConnection conn, bool broken) noexcept;

    mutable std::mutex m_mutex;
    std::condition_variable m_freed;
    std::size_t m_leased = 0;             // guarded by m_mutex
    std::vector<PooledConnection> m_idle; // guarded by m_mutex
};

// One borrowed connection, returned to the pool on destruction. A lease
// marked broken (or whose connection closed) drops its connection instead,
// so the next acquire opens a fresh one.
class ConnectionLease {
public:
    ~ConnectionLease();
    ConnectionLease(ConnectionLease&& other) noexcept
        : m_pool(other.m_pool), m_conn(std::move(other.m_conn)), m_broken(other.m_broken),
          m_fresh(other.m_fresh) {
        other.m_pool = nullptr;
    }
    ConnectionLease(const ConnectionLease&) = delete;
    ConnectionLease& operator=(const ConnectionLease&) = delete;
    ConnectionLease& operator=(ConnectionLease&&) = delete;

    pqxx::connection& conn() { return *m_conn.conn; }
    // True when the connection was opened for this lease (not reused idle).
    bool fresh() const { return m_fresh; }
    // Call after any failure whose effect on the session is unknown (an
    // exception in the middle of COPY, a lost server): the connection is
    // closed instead of being reused.
    void mark_broken() { m_broken = true; }
    // Call once the work has returned: throws TryLater ("commit not confirmed
    // by the synchronous standby") when a COMMIT on this lease stopped
    // waiting for the standby, so the caller answers 4xx and the retry finds
    // the stored copy (a duplicate) or stores it anew after a failover.
    void check_replicated();

private:
    friend struct ConnectionPool::Impl;
    explicit ConnectionLease(ConnectionPool::Impl& pool) : m_pool(&pool) {}

    ConnectionPool::Impl* m_pool;
    PooledConnection m_conn;
    bool m_broken = false;
    bool m_fresh = false;
};

// Runs `work(pqxx::connection&)` on a leased connection. A connection that
// turns out dead on first use after sitting idle (the server restarted) is
// dropped and `work` runs once more on a fresh one: nothing was committed, so
// the retry is safe. Any failure drops the connection and is rethrown as
// TryLater or BadInput (pg_errors.hpp).
template <typename Work>
auto with_connection(ConnectionPool& pool, Work&& work)
    -> std::invoke_result_t<Work&, pqxx::connection&>;

// The same for one message's work under `job`'s time limits (store.hpp):
// refuses to start a cancelled or late job, lets `job.cancel` abort the
// running statement, and turns a cancelled or timed-out statement into
// TryLater with a reason that says so. A connection that was sent a cancel
// request is closed, never reused: the request may arrive late.
template <typename Work>
auto with_connection(ConnectionPool& pool, const StoreJob& job, Work&& work)
    -> std::invoke_result_t<Work&, pqxx::connection&>;

// Throws TryLater when `job` was cancelled or its deadline has passed.
void check_job(const StoreJob& job);

// Sets this transaction's statement_timeout to the time left before the
// job's deadline (at least 1 ms); nothing without a deadline. Call first in
// the transaction. Throws TryLater (past the deadline) or pqxx errors.
void limit_transaction(pqxx::transaction_base& tx, const StoreJob& job);

// Call only inside a catch block of a job's work: rethrows as TryLater
// naming the cancel or the time limit when that is why the statement ended,
// else as rethrow_as_rua_error() does.
[[noreturn]] void rethrow_for_job(const StoreJob& job);

} // namespace rua

#include "pool_inl.hpp"
