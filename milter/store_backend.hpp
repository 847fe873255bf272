// The real Backend: a connection pool and Store from the core, plus a
// background thread that reloads the registry snapshot every
// RegistryRefresh seconds (retrying sooner while it has never loaded), and
// the worker pool for end of message (PoolSize threads, one per database
// connection). It must never query the database from registry(): RCPT
// time is I/O free.
#pragma once

#include "backend.hpp"
#include "worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace rua::milter {

class StoreBackend final : public Backend {
public:
    StoreBackend(std::string conninfo, std::size_t pool_size, std::chrono::seconds refresh);
    ~StoreBackend() override;
    StoreBackend(const StoreBackend&) = delete;
    StoreBackend& operator=(const StoreBackend&) = delete;

    // Loads the registry once now (a failure is logged, not thrown); with
    // `background`, starts the refresh thread. Call once.
    void start(bool background);

    std::shared_ptr<const Registry> registry() const override;
    ProcessResult process(std::string_view raw, const Limits& limits, const Arrival& arrival,
                          const ProcessOptions& options) override;
    WorkerPool& workers() override { return m_workers; }

    // Since the registry last loaded; none while it never has (metrics).
    std::optional<std::chrono::milliseconds> registry_age() const;
    // Connections taken now: running end-of-message jobs plus a registry
    // load in progress (metrics). Never throws.
    std::size_t connections_in_use() const noexcept;

    // Stops the refresh thread and the pool (queued jobs dropped, running
    // ones cancelled, threads joined). Idempotent; the destructor calls it.
    void shutdown() noexcept;

private:
    bool load_once() noexcept;
    void refresh_loop() noexcept;

    const std::string m_conninfo; // for the schema check before each registry load
    ConnectionPool m_pool;
    Store m_store;
    const std::chrono::seconds m_refresh;
    mutable std::mutex m_mutex;
    std::shared_ptr<const Registry> m_registry;        // guarded by m_mutex
    std::chrono::steady_clock::time_point m_loaded_at; // guarded by m_mutex
    std::condition_variable m_wake;
    bool m_stop = false; // guarded by m_mutex
    std::thread m_thread;
    WorkerPool m_workers; // last: joined before anything it uses goes
};

} // namespace rua::milter
