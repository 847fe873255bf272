// IMAP pull for `ruactl fetch`: the mailbox URL and a client that lists,
// fetches and moves messages by UID over one verified TLS connection
// (libcurl, core/src/imap/). It never sends a password without TLS and
// never moves or deletes a message it was not told to by UID.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rua::imap {

// Where to pull from: imaps://user@host[:port]/MAILBOX (implicit TLS, 993)
// or imap://user@host[:port]/MAILBOX (STARTTLS required, 143).
struct MailboxUrl {
    bool implicit_tls = true;
    std::string host;
    std::uint16_t port = 993;
    std::string user;
    std::string mailbox = "INBOX"; // decoded; an empty path means INBOX
    // "imaps://user@host:993/INBOX": for messages (the caller escapes it).
    std::string display() const;
};

// Throws rua::BadInput for a malformed URL, another scheme, a missing user, a
// password in the URL (refused: it would show in the process list), or a
// query or fragment.
MailboxUrl parse_mailbox_url(std::string_view url);

// A mailbox or folder name we may put in a command: printable ASCII, no
// wildcard (%, *), 1 to 200 bytes. Throws rua::BadInput naming `what` otherwise.
void check_folder_name(std::string_view what, std::string_view name);

struct ClientOptions {
    std::string password;
    std::string ca_file; // PEM file of trusted CAs; empty: the system's store
    std::chrono::seconds connect_timeout{30};
    // A command that moves no byte for this long fails (TryLater).
    std::chrono::seconds stall_timeout{120};
};

struct MessageInfo {
    std::uint32_t uid = 0;
    std::uint64_t size = 0; // RFC822.SIZE
};

struct MailboxStatus {
    std::uint32_t uid_validity = 0;
    std::uint64_t messages = 0;
};

// One logged-in connection (opened by the first call, kept for the next).
// Errors: rua::ConfigError when waiting will not help (login refused, the
// certificate not trusted or for another name, no STARTTLS, no such
// mailbox), rua::TryLater when the server cannot be reached or stops
// answering, rua::Error for a command the server refuses. Messages hold
// server text only through printable escaping. Not thread-safe.
class Client {
public:
    Client(MailboxUrl url, ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Logs in and reads the mailbox's STATUS.
    MailboxStatus status();
    // True when the server advertises MOVE (RFC 6851); asked once.
    bool can_move();
    // Creates `folder` unless LIST finds it.
    void ensure_folder(const std::string& folder);
    // Messages not marked \Deleted with a UID above `after_uid`, lowest
    // first, at most `max` of them, with their sizes (found by FETCH of
    // sequence ranges; the caller acts on the UIDs only).
    std::vector<MessageInfo> next_batch(std::uint32_t after_uid, std::size_t max);
    // Marks the messages \Seen, k_per_command a time. A FETCH of BODY[]
    // would do it one message at a time, each a flag change the server
    // may sync to disk; flagged first, the fetches change nothing.
    void mark_seen(const std::vector<std::uint32_t>& uids);
    // The message's bytes (UID FETCH BODY[]); throws rua::Error past
    // `max_bytes` without keeping more than that.
    std::string fetch(std::uint32_t uid, std::size_t max_bytes);
    // Moves the messages to `folder`: UID MOVE when the server has MOVE,
    // otherwise UID COPY, then UID STORE \Deleted, then UID EXPUNGE when the
    // server has UIDPLUS (a plain EXPUNGE would take other clients' deleted
    // messages too, so without UIDPLUS they stay marked \Deleted).
    void move(const std::vector<std::uint32_t>& uids, const std::string& folder);
    // STATUS MESSAGES of any folder.
    std::uint64_t count(const std::string& folder);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rua::imap
