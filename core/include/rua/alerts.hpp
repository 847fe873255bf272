// Alerts (sql/0018): rules per account, the events the rules raised, and the
// worker that evaluates the rules and delivers the events by webhook (HTTP
// POST of JSON signed with HMAC-SHA256) and by e-mail (a mail command).
// Never used by the milter: the storing transaction only writes an outbox
// row (a trigger); everything here runs in `ruactl alert*`. Callers see std
// types only (no pqxx, no libcurl).
#pragma once

#include <rua/errors.hpp>
#include <rua/model.hpp>
#include <rua/store.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua::alerts {

// The rule kinds, as stored and as typed on the command line.
const std::vector<std::string>& rule_kinds();

// What a rule watches and where it sends. Unused fields stay empty; the
// store checks the combination (sql/0018's CHECKs) and says what is missing.
struct RuleSpec {
    std::string account;
    std::string kind;
    OptString domain;
    std::int64_t min_messages = 1;         // new-source, compliance
    std::optional<double> below;           // compliance: percent
    std::optional<double> drop_points;     // compliance: points under the 14-day baseline
    OptString reporter;                    // silent-reporter
    std::optional<std::int64_t> days;      // silent-reporter
    std::optional<std::int64_t> hours;     // tls-failures, failure-burst
    std::optional<std::int64_t> min_count; // tls-failures: failed sessions; failure-burst: reports
    double above = 0;                      // tls-failures: failure percent
    OptString webhook_url;
    OptString secret_file; // absolute path, read at each delivery
    OptString mail_to;
    std::int64_t cooldown_seconds = 86400;
};

struct Rule {
    std::int64_t id = 0;
    RuleSpec spec;
    std::int64_t created_at = 0; // UTC seconds
};

// One raised alert. Text fields may hold sender-chosen text (a domain, a
// reporter): escape before printing.
struct Event {
    std::int64_t id = 0;
    std::optional<std::int64_t> rule_id; // none once the rule was removed
    std::string account;
    std::string kind;
    OptString domain;
    std::string key;
    std::string payload; // JSON object
    std::int64_t created_at = 0;
    std::optional<std::int64_t> delivered_at;
    std::int64_t attempts = 0;
    OptString last_error;
};

// Rule management and the event list (ruactl). Every method throws
// TryLater when the database is unreachable and rua::Error otherwise;
// add_rule throws BadInput for a value the database refuses and
// Error("account ... does not exist") for an unknown account.
class Rules {
public:
    explicit Rules(ConnectionPool& pool) : m_pool(pool) {}
    std::int64_t add(const RuleSpec& spec);
    std::vector<Rule> list(const OptString& account);
    bool remove(std::int64_t id); // false: no such rule
    std::vector<Event> events(const OptString& account, std::int64_t since_seconds);

private:
    ConnectionPool& m_pool;
};

struct WorkerOptions {
    std::vector<std::string> mail_command{"/usr/sbin/sendmail", "-t", "-i"};
    std::string mail_from = "rua-milter";    // a bare local part gets @ the host name
    int tries = 4;                           // per channel and pass
    std::chrono::milliseconds backoff{1000}; // doubled after each failed try
    std::chrono::milliseconds max_backoff{30000};
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds timeout{15000}; // a whole HTTP request or mail command
    int max_attempts = 20;   // an event's attempts over all passes, then left failed
    std::size_t batch = 100; // events delivered per pass at most
};

struct PassResult {
    std::size_t raised = 0;
    std::size_t delivered = 0;
    std::size_t failed = 0; // events whose delivery failed this pass
};

// The worker: one connection of its own, LISTENing on "rua_alerts".
class Worker {
public:
    // Logs one line per event delivered or failed through `log`. Throws
    // TryLater when the database is unreachable.
    Worker(std::string conninfo, WorkerOptions options, std::function<void(std::string_view)> log);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Evaluates the rules (every rule, or those the outbox calls for and the
    // silent-reporter ones), records new events, and delivers the pending
    // ones. Throws TryLater / Error for database failures; delivery failures
    // are recorded on the event, not thrown.
    PassResult pass(bool everything);
    // Waits up to `timeout` for a notification; true when one came.
    bool wait(std::chrono::milliseconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// HMAC-SHA256 of `data` under `key`, as 64 lower-case hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// An alert e-mail. `from` and `to` must be plain addr-specs (no display
// name, no CR/LF, no commas, no angle brackets): BadInput otherwise. The
// subject may hold any text (a sender's domain): it is encoded as RFC 2047
// words when it is not plain printable ASCII, so it never breaks the header.
struct MailMessage {
    std::string from;
    std::string to;
    std::string subject;
    std::string body;       // UTF-8, sent base64-encoded
    std::string date;       // RFC 5322 date
    std::string message_id; // without angle brackets; must be id-left@id-right
};
std::string build_mail(const MailMessage& message);

} // namespace rua::alerts
