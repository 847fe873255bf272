// The connection pool: at most N connections, opened lazily, each lent to one
// thread at a time. A caller waits a bounded time for a free slot and then
// gets TryLater; it must never block forever nor reuse a connection that
// failed mid-statement.
#include "pool.hpp"

#include "pg_errors.hpp"

#include <rua/errors.hpp>

#include <pqxx/except>

#include <poll.h>

#include <string_view>
#include <utility>

namespace rua {
namespace {

// An idle connection has nothing to read. If its socket is readable (the
// server said goodbye, or hung up) it is dead: drop it before use. Using it
// would fail on BEGIN, and libpqxx 6.4 leaks the PGresult on that path.
bool idle_and_alive(pqxx::connection& conn) {
    if (!conn.is_open() || conn.sock() < 0) {
        return false;
    }
    pollfd probe{};
    probe.fd = conn.sock();
    probe.events = POLLIN;
    return ::poll(&probe, 1, 0) == 0;
}

} // namespace

bool CommitWatch::operator()(const char msg[]) noexcept {
    // The server's words (syncrep.c) for a wait given up by a cancel; the
    // termination variant is never sent (the session just ends: in doubt).
    if (msg != nullptr &&
        std::string_view(msg).find("canceling wait for synchronous replication") !=
            std::string_view::npos) {
        m_unreplicated = true;
    }
    return true;
}

void ConnectionLease::check_replicated() {
    if (m_conn.watch && m_conn.watch->unreplicated()) {
        m_broken = true;
        throw TryLater("commit not confirmed by the synchronous standby (the wait for it was "
                       "cancelled): outcome unknown");
    }
}

ConnectionPool::Impl::Impl(std::string conninfo, std::size_t size,
                           std::chrono::milliseconds acquire_timeout)
    : m_conninfo(std::move(conninfo)), m_size(size == 0 ? 1 : size), m_timeout(acquire_timeout) {}

ConnectionLease ConnectionPool::Impl::acquire(std::chrono::steady_clock::time_point deadline) {
    ConnectionLease lease(*this);
    {
        const auto now = std::chrono::steady_clock::now();
        auto until = now + m_timeout;
        const bool deadline_first =
            deadline != std::chrono::steady_clock::time_point{} && deadline < until;
        if (deadline_first) {
            until = deadline;
        }
        std::unique_lock<std::mutex> lock(m_mutex);
        if (!m_freed.wait_until(lock, until, [this] { return m_leased < m_size; })) {
            lease.m_pool = nullptr; // holds no slot: nothing to give back
            throw TryLater(deadline_first
                               ? "time limit reached while waiting for a database connection"
                               : "database connection pool exhausted");
        }
        ++m_leased;
        if (!m_idle.empty()) {
            lease.m_conn = std::move(m_idle.back());
            m_idle.pop_back();
        }
    }
    // The slot is the lease's now: its destructor frees it even if opening fails.
    if (lease.m_conn.conn && idle_and_alive(*lease.m_conn.conn)) {
        lease.m_conn.watch->reset();
        return lease;
    }
    lease.m_conn = PooledConnection{};
    try {
        // With a multi-host conninfo libpq picks the host here (the one that
        // is read-write with target_session_attrs): a fresh connection after
        // a failover finds the promoted standby without a restart.
        lease.m_conn.conn = std::make_unique<pqxx::connection>(m_conninfo);
    } catch (const pqxx::failure& e) {
        throw TryLater("cannot connect to the database: " + connect_failure_reason(e.what()));
    }
    lease.m_conn.watch = std::make_unique<CommitWatch>(*lease.m_conn.conn);
    lease.m_fresh = true;
    return lease;
}

void ConnectionPool::Impl::give_back(PooledConnection conn, bool broken) noexcept {
    if (conn.conn && (broken || !conn.conn->is_open())) {
        conn = PooledConnection{}; // closed outside the lock: PQfinish may block briefly
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        --m_leased;
        if (conn.conn) {
            m_idle.push_back(std::move(conn));
        }
    }
    m_freed.notify_one();
}

ConnectionLease::~ConnectionLease() {
    if (m_pool != nullptr) {
        m_pool->give_back(std::move(m_conn), m_broken);
    }
}

ConnectionPool::ConnectionPool(std::string conninfo, std::size_t size,
                               std::chrono::milliseconds acquire_timeout)
    : m_impl(std::make_unique<Impl>(std::move(conninfo), size, acquire_timeout)) {}

ConnectionPool::~ConnectionPool() = default;

const std::string& ConnectionPool::conninfo() const {
    return m_impl->m_conninfo;
}

std::size_t ConnectionPool::Impl::leased() const {
    const std::lock_guard<std::mutex> lock(m_mutex);
    return m_leased;
}

std::size_t ConnectionPool::in_use() const {
    return m_impl->leased();
}

} // namespace rua
