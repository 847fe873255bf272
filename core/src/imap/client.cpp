// The IMAP client of `ruactl fetch` over libcurl: one easy handle, so one
// connection and one login for every command; TLS always (implicit, or
// STARTTLS required), the peer and its name verified. libcurl turns each
// failure into a code: this file is where codes become ConfigError (waiting
// will not help), TryLater (the server is away) or Error.
#include "imap/response.hpp"

#include <rua/errors.hpp>
#include <rua/imap.hpp>

#include <fmt/format.h>

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace rua::imap {

namespace {

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};

// What a response may take in memory: SEARCH of a large mailbox is a few
// MB; a message is bounded by its own limit instead.
constexpr std::size_t k_max_response = std::size_t{64} << 20;

// Messages named in one command. Debian's libcurl 7.88.1 counts the lines
// of one answer against its 300 KB limit on headers in a way that grows
// faster than the lines (an answer of about 200 FETCH lines fails), so no
// answer of ours has more than this many lines.
constexpr std::size_t k_per_command = 100;

struct Sink {
    std::string data;
    std::size_t cap = k_max_response;
    bool overflow = false;
};

extern "C" std::size_t on_write(char* bytes, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const std::size_t n = size * count;
    if (sink->data.size() + n > sink->cap) {
        sink->overflow = true;
        return 0; // libcurl stops the transfer: CURLE_WRITE_ERROR
    }
    sink->data.append(bytes, n);
    return n;
}

void init_once() {
    // Before any handle, once per process (curl_global_init is not
    // thread-safe); webhook.cpp does the same, the call is counted.
    static const CURLcode k_init = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (k_init != CURLE_OK) {
        throw Error("libcurl could not be initialised");
    }
}

} // namespace

struct Client::Impl {
    MailboxUrl url;
    ClientOptions options;
    std::unique_ptr<CURL, CurlDeleter> curl;
    char error[CURL_ERROR_SIZE] = {};
    std::string capabilities; // the CAPABILITY response, once asked

    // "imaps://host:port/" + the encoded mailbox (none when empty).
    std::string address(const std::string& mailbox, std::uint32_t uid = 0) const {
        std::string out =
            fmt::format("{}://{}:{}/", url.implicit_tls ? "imaps" : "imap", url.host, url.port);
        if (!mailbox.empty()) {
            char* encoded =
                curl_easy_escape(curl.get(), mailbox.c_str(), static_cast<int>(mailbox.size()));
            if (encoded == nullptr) {
                throw std::bad_alloc();
            }
            out += encoded;
            curl_free(encoded);
        }
        if (uid != 0) {
            out += fmt::format(";UID={}", uid);
        }
        return out;
    }

    void open() {
        if (curl) {
            return;
        }
        init_once();
        curl.reset(curl_easy_init());
        if (!curl) {
            throw Error("libcurl could not make a handle");
        }
    }

    // Every option, on a handle just made or reset.
    void configure() {
        CURL* h = curl.get();
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(h, CURLOPT_USERNAME, url.user.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, options.password.c_str());
        // imap://: STARTTLS or nothing; the password never goes in clear.
        curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!options.ca_file.empty()) {
            // Only this file: the system's directory of CAs is not added.
            curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
            curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
        }
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
                         static_cast<long>(options.connect_timeout.count()));
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                         static_cast<long>(options.stall_timeout.count()));
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    }

    // Runs one request; the untagged responses (or the message) come back.
    std::string run(const std::string& where, const char* custom, const std::string& doing,
                    std::size_t cap = k_max_response) {
        open();
        CURL* h = curl.get();
        // libcurl counts every response line of a connection as a header
        // and fails past 300 KB in all (a few hundred messages): a reset
        // before each request zeroes the count and keeps the connection.
        curl_easy_reset(h);
        configure();
        Sink sink;
        sink.cap = cap;
        error[0] = '\0';
        curl_easy_setopt(h, CURLOPT_URL, where.c_str());
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, custom);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
        const CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK) {
            fail(rc, doing, sink.overflow);
        }
        return std::move(sink.data);
    }

    [[noreturn]] void fail(CURLcode rc, const std::string& doing, bool overflow) {
        const std::string why =
            detail::printable(error[0] != '\0' ? error : curl_easy_strerror(rc));
        const std::string at = detail::printable(url.display());
        switch (rc) {
        case CURLE_LOGIN_DENIED:
            if (why.find("Select") != std::string::npos) {
                throw ConfigError(
                    fmt::format("{}: {}: the server cannot open the mailbox", at, doing));
            }
            throw ConfigError(
                fmt::format("{}: login refused for user '{}' (wrong user or password?)", at,
                            detail::printable(url.user)));
        case CURLE_PEER_FAILED_VERIFICATION:
            throw ConfigError(fmt::format("{}: TLS: the server's certificate is not trusted or "
                                          "not for {} ({})",
                                          at, detail::printable(url.host), why));
        case CURLE_SSL_CACERT_BADFILE:
            throw ConfigError(fmt::format("{}: TLS: cannot read the CA file '{}' ({})", at,
                                          detail::printable(options.ca_file), why));
        case CURLE_USE_SSL_FAILED:
            throw ConfigError(fmt::format("{}: the server offers no STARTTLS, and a password is "
                                          "never sent in clear (does it have imaps://?)",
                                          at));
        case CURLE_SSL_CONNECT_ERROR:
            throw ConfigError(fmt::format("{}: TLS handshake failed ({})", at, why));
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_WEIRD_SERVER_REPLY:
            // The connection is gone or unusable: the next call opens anew.
            curl.reset();
            capabilities.clear();
            throw TryLater(fmt::format("{}: {}: {}", at, doing, why));
        case CURLE_WRITE_ERROR:
            if (overflow) {
                // The rest of the answer is still on the wire: start anew.
                curl.reset();
                capabilities.clear();
                throw Error(fmt::format("{}: {}: the answer is larger than allowed", at, doing));
            }
            break;
        case CURLE_QUOTE_ERROR:
            throw Error(fmt::format("{}: {}: the server refused the command", at, doing));
        case CURLE_REMOTE_FILE_NOT_FOUND:
            throw Error(fmt::format("{}: {}: not found (UIDVALIDITY changed, or removed by "
                                    "another client)",
                                    at, doing));
        default:
            break;
        }
        throw Error(fmt::format("{}: {}: {}", at, doing, why));
    }

    bool capable(const char* name) {
        if (capabilities.empty()) {
            capabilities = run(address(""), "CAPABILITY", "CAPABILITY");
        }
        return detail::has_capability(capabilities, name);
    }
};

Client::Client(MailboxUrl url, ClientOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->url = std::move(url);
    m_impl->options = std::move(options);
}

Client::~Client() = default;

MailboxStatus Client::status() {
    auto& m = *m_impl;
    std::string text;
    try {
        text =
            m.run(m.address(""),
                  ("STATUS " + detail::quoted(m.url.mailbox) + " (MESSAGES UIDVALIDITY)").c_str(),
                  "STATUS of the mailbox");
    } catch (const ConfigError&) {
        throw;
    } catch (const TryLater&) {
        throw;
    } catch (const Error&) {
        throw ConfigError(fmt::format("{}: no such mailbox, or the user may not read it",
                                      detail::printable(m.url.display())));
    }
    const auto messages = detail::parse_status_item(text, "MESSAGES");
    const auto validity = detail::parse_status_item(text, "UIDVALIDITY");
    if (!messages || !validity) {
        throw Error(fmt::format("{}: the server's STATUS answer has no MESSAGES or UIDVALIDITY",
                                detail::printable(m.url.display())));
    }
    return {static_cast<std::uint32_t>(*validity), *messages};
}

bool Client::can_move() {
    return m_impl->capable("MOVE");
}

void Client::ensure_folder(const std::string& folder) {
    auto& m = *m_impl;
    const auto name = detail::quoted(folder);
    const auto listed = m.run(m.address(""), ("LIST \"\" " + name).c_str(), "LIST");
    if (detail::lists_something(listed)) {
        return;
    }
    m.run(m.address(""), ("CREATE " + name).c_str(),
          fmt::format("CREATE {}", detail::printable(folder)));
}

std::vector<MessageInfo> Client::next_batch(std::uint32_t after_uid, std::size_t max) {
    // Located by sequence number, acted on by UID only. A UID SEARCH of
    // the mailbox would be one line of every UID, which libcurl cuts past
    // its buffer; sequence ranges of k_per_command stay small. Messages
    // are in UID order, so the first with a UID above `after_uid` is found
    // by bisection; one that moves meanwhile is only looked at again or
    // left for the next pass (each is checked by its UID).
    auto& m = *m_impl;
    const auto where = m.address(m.url.mailbox);
    const auto messages = static_cast<std::uint32_t>(count(m.url.mailbox));
    const auto uid_at = [&](std::uint32_t seq) -> std::uint32_t {
        const auto items = detail::parse_fetch(
            m.run(where, fmt::format("FETCH {} (UID)", seq).c_str(), "FETCH UID"));
        for (const auto& item : items) {
            if (item.seq == seq) {
                return item.uid;
            }
        }
        return 0; // gone meanwhile
    };
    std::uint32_t lo = 1;
    std::uint32_t hi = messages + 1;
    while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        const auto uid = uid_at(mid);
        if (uid == 0 || uid > after_uid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    std::vector<MessageInfo> out;
    for (std::uint32_t seq = lo; seq <= messages && out.size() < max;) {
        const std::uint32_t last =
            std::min<std::uint32_t>(messages, seq + static_cast<std::uint32_t>(k_per_command) - 1);
        const auto items = detail::parse_fetch(
            m.run(where, fmt::format("FETCH {}:{} (UID RFC822.SIZE FLAGS)", seq, last).c_str(),
                  "FETCH sizes"));
        for (const auto& item : items) {
            if (item.uid > after_uid && !item.deleted) {
                out.push_back({item.uid, item.size});
            }
        }
        seq = last + 1;
    }
    std::sort(out.begin(), out.end(),
              [](const MessageInfo& a, const MessageInfo& b) { return a.uid < b.uid; });
    out.erase(
        std::unique(out.begin(), out.end(),
                    [](const MessageInfo& a, const MessageInfo& b) { return a.uid == b.uid; }),
        out.end());
    if (out.size() > max) {
        out.resize(max);
    }
    return out;
}

void Client::mark_seen(const std::vector<std::uint32_t>& uids) {
    auto& m = *m_impl;
    auto sorted = uids;
    std::sort(sorted.begin(), sorted.end());
    const auto where = m.address(m.url.mailbox);
    for (std::size_t i = 0; i < sorted.size(); i += k_per_command) {
        const std::vector<std::uint32_t> part(
            sorted.begin() + static_cast<std::ptrdiff_t>(i),
            sorted.begin() +
                static_cast<std::ptrdiff_t>(std::min(sorted.size(), i + k_per_command)));
        m.run(where,
              fmt::format("UID STORE {} +FLAGS.SILENT (\\Seen)", detail::uid_set(part)).c_str(),
              "UID STORE \\Seen");
    }
}

std::string Client::fetch(std::uint32_t uid, std::size_t max_bytes) {
    auto& m = *m_impl;
    return m.run(m.address(m.url.mailbox, uid), nullptr, fmt::format("UID {}", uid), max_bytes);
}

void Client::move(const std::vector<std::uint32_t>& uids, const std::string& folder) {
    if (uids.empty()) {
        return;
    }
    auto& m = *m_impl;
    auto sorted = uids;
    std::sort(sorted.begin(), sorted.end());
    const auto where = m.address(m.url.mailbox);
    const auto target = detail::quoted(folder);
    // Each moved message is one EXPUNGE line of the answer: k_per_command
    // at a time.
    for (std::size_t i = 0; i < sorted.size(); i += k_per_command) {
        const std::vector<std::uint32_t> part(
            sorted.begin() + static_cast<std::ptrdiff_t>(i),
            sorted.begin() +
                static_cast<std::ptrdiff_t>(std::min(sorted.size(), i + k_per_command)));
        const auto set = detail::uid_set(part);
        if (m.capable("MOVE")) {
            m.run(where, fmt::format("UID MOVE {} {}", set, target).c_str(), "UID MOVE");
            continue;
        }
        m.run(where, fmt::format("UID COPY {} {}", set, target).c_str(), "UID COPY");
        m.run(where, ("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)").c_str(), "UID STORE");
        if (m.capable("UIDPLUS")) {
            m.run(where, ("UID EXPUNGE " + set).c_str(), "UID EXPUNGE");
        }
    }
}

std::uint64_t Client::count(const std::string& folder) {
    auto& m = *m_impl;
    const auto text =
        m.run(m.address(""), ("STATUS " + detail::quoted(folder) + " (MESSAGES)").c_str(),
              "STATUS " + detail::printable(folder));
    return detail::parse_status_item(text, "MESSAGES").value_or(0);
}

} // namespace rua::imap
