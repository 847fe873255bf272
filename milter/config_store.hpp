// The current configuration, swapped whole on SIGUSR1. Readers take a
// snapshot (a shared_ptr) and keep it for a whole connection; nobody ever
// modifies a Config in place.
#pragma once

#include "config.hpp"

#include <mutex>
#include <utility>

namespace rua::milter {

class ConfigStore {
public:
    explicit ConfigStore(ConfigPtr initial) : m_current(std::move(initial)) {}

    ConfigPtr get() const {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_current;
    }

    void set(ConfigPtr next) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_current = std::move(next);
    }

private:
    mutable std::mutex m_mutex;
    ConfigPtr m_current;
};

} // namespace rua::milter
