// StoreBackend: registry snapshot refresh and process_message on the
// core's Store. The snapshot is swapped whole under a mutex; readers keep
// the shared_ptr they got. Must never throw from the refresh thread and
// never block RCPT on the database.
#include "store_backend.hpp"

#include "log.hpp"

#include <rua/migrate.hpp>

#include <algorithm>

namespace rua::milter {

namespace {

// While the registry has never loaded, retry at least this often.
constexpr std::chrono::seconds k_retry{5};

// Messages that may wait for a worker, per worker. Past it the message gets
// 451 at once rather than a wait that would end in the deadline anyway.
constexpr std::size_t k_queued_per_worker = 8;

} // namespace

StoreBackend::StoreBackend(std::string conninfo, std::size_t pool_size,
                           std::chrono::seconds refresh)
    : m_conninfo(conninfo), m_pool(std::move(conninfo), pool_size), m_store(m_pool),
      m_refresh(refresh), m_workers(pool_size, pool_size * k_queued_per_worker) {}

StoreBackend::~StoreBackend() {
    shutdown();
}

void StoreBackend::shutdown() noexcept {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
    m_workers.shutdown();
}

void StoreBackend::start(bool background) {
    load_once();
    if (background) {
        m_thread = std::thread([this] { refresh_loop(); });
    }
}

std::shared_ptr<const Registry> StoreBackend::registry() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_registry;
}

ProcessResult StoreBackend::process(std::string_view raw, const Limits& limits,
                                    const Arrival& arrival, const ProcessOptions& options) {
    return process_message(m_store, raw, limits, arrival, options);
}

std::optional<std::chrono::milliseconds> StoreBackend::registry_age() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_registry) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 m_loaded_at);
}

std::size_t StoreBackend::connections_in_use() const noexcept {
    return m_pool.in_use();
}

bool StoreBackend::load_once() noexcept {
    try {
        // A database this build's migrations do not match (not migrated, or
        // migrated by a newer version) is never read: the registry stays
        // unloaded (451 at RCPT) and the log says what to run.
        check_schema(m_conninfo, default_sql_dir());
        auto fresh = std::make_shared<const Registry>(m_store.load_registry());
        const auto size = fresh->size();
        bool first = false;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            first = !m_registry;
            m_registry = std::move(fresh);
            m_loaded_at = std::chrono::steady_clock::now();
        }
        if (first) {
            log_info("registry loaded: {} rua addresses", size);
        } else {
            log_debug("registry refreshed: {} rua addresses", size);
        }
        return true;
    } catch (const std::exception& e) {
        log_error("cannot load the rua registry: {}", e.what());
    } catch (...) {
        log_error("cannot load the rua registry");
    }
    return false;
}

void StoreBackend::refresh_loop() noexcept {
    std::unique_lock<std::mutex> lock(m_mutex);
    while (!m_stop) {
        const auto wait = m_registry ? m_refresh : std::min(m_refresh, k_retry);
        if (m_wake.wait_for(lock, wait, [this] { return m_stop; })) {
            break;
        }
        lock.unlock();
        load_once();
        lock.lock();
    }
}

} // namespace rua::milter
