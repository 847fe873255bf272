// FetchAhead's thread (fetch_ahead.hpp): fetch, queue, wait for room. A
// failure is queued with the message it belongs to; one that ends the
// connection or the login (TryLater, ConfigError) also ends the thread.
#include "fetch_ahead.hpp"

#include <rua/errors.hpp>

namespace ruactl {

FetchAhead::FetchAhead(rua::imap::Client& client, std::vector<rua::imap::MessageInfo> messages,
                       std::size_t max_bytes)
    : m_client(client), m_messages(std::move(messages)), m_max_bytes(max_bytes),
      m_thread([this] { run(); }) {}

FetchAhead::~FetchAhead() {
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

std::optional<FetchAhead::Item> FetchAhead::next() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_ready.empty() || m_finished; });
    if (m_ready.empty()) {
        return std::nullopt;
    }
    Item item = std::move(m_ready.front());
    m_ready.pop_front();
    lock.unlock();
    m_changed.notify_all();
    return item;
}

void FetchAhead::run() {
    for (const auto& message : m_messages) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return m_stop || m_ready.size() < k_depth; });
            if (m_stop) {
                break;
            }
        }
        Item item;
        item.info = message;
        bool last = false;
        if (message.size > m_max_bytes) {
            item.too_large = true;
        } else {
            try {
                item.raw = m_client.fetch(message.uid, m_max_bytes);
            } catch (const rua::TryLater&) {
                item.error = std::current_exception();
                last = true;
            } catch (const rua::ConfigError&) {
                item.error = std::current_exception();
                last = true;
            } catch (const rua::Error&) {
                item.error = std::current_exception();
            } catch (...) {
                item.error = std::current_exception();
                last = true;
            }
        }
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_ready.push_back(std::move(item));
        }
        m_changed.notify_all();
        if (last) {
            break;
        }
    }
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_finished = true;
    }
    m_changed.notify_all();
}

} // namespace ruactl
