// The messages of one `ruactl fetch` batch, fetched on a thread of their own
// one step ahead of the caller, so that the IMAP round trip of the next
// message overlaps the database work of this one. Between construction and
// destruction (which stops and joins the thread) the thread alone uses the
// client; it holds at most k_depth fetched messages.
#pragma once

#include <rua/imap.hpp>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ruactl {

class FetchAhead {
public:
    struct Item {
        rua::imap::MessageInfo info;
        bool too_large = false; // over max_bytes: not fetched
        std::string raw;
        std::exception_ptr error; // the fetch failed: rethrow to see why
    };

    FetchAhead(rua::imap::Client& client, std::vector<rua::imap::MessageInfo> messages,
               std::size_t max_bytes);
    ~FetchAhead();
    FetchAhead(const FetchAhead&) = delete;
    FetchAhead& operator=(const FetchAhead&) = delete;

    // The next message in UID order; nullopt after the last. Blocks.
    std::optional<Item> next();

private:
    static constexpr std::size_t k_depth = 2;
    void run();

    rua::imap::Client& m_client;
    const std::vector<rua::imap::MessageInfo> m_messages;
    const std::size_t m_max_bytes;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Item> m_ready;
    bool m_finished = false; // the thread pushes nothing more
    bool m_stop = false;     // the caller wants nothing more
    std::thread m_thread;    // last: starts once the rest is set up
};

} // namespace ruactl
