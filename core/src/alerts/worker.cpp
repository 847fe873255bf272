// The alert worker: one connection of its own that LISTENs on "rua_alerts",
// runs rua_alert_evaluate (sql/0018) and delivers the pending events by
// webhook and mail, retrying each channel a bounded number of times with
// exponential backoff. Every attempt is recorded on the event; a channel
// that succeeded is never tried again for that event. Never runs in the
// milter.
#include "alerts/mail.hpp"
#include "store/pg_errors.hpp"

#include <rua/alerts.hpp>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace rua::alerts {

namespace {

class Receiver final : public pqxx::notification_receiver {
public:
    Receiver(pqxx::connection_base& conn, bool& flag)
        : pqxx::notification_receiver(conn, "rua_alerts"), m_flag(flag) {}
    void operator()(const std::string& /*payload*/, int /*backend_pid*/) override { m_flag = true; }

private:
    bool& m_flag;
};

std::string host_name() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return name.data();
}

// The secret: the file's content less trailing line breaks.
std::optional<std::string> read_secret(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
        secret.pop_back();
    }
    return secret;
}

struct Pending {
    std::int64_t id = 0;
    std::vector<std::string> done;
    std::int64_t attempts = 0;
    OptString webhook_url;
    OptString secret_file;
    OptString mail_to;
    std::string body; // the webhook's JSON
    std::string kind;
    std::string domain;
    std::string date;
    std::string details;
};

std::vector<std::string> parse_text_array(const pqxx::field& field) {
    std::vector<std::string> out;
    auto parser = field.as_array();
    for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
         item = parser.get_next()) {
        if (item.first == pqxx::array_parser::string_value) {
            out.push_back(item.second);
        }
    }
    return out;
}

} // namespace

struct Worker::Impl {
    std::string conninfo;
    WorkerOptions options;
    std::function<void(std::string_view)> log;
    std::unique_ptr<pqxx::connection> conn;
    std::unique_ptr<Receiver> receiver;
    bool notified = false;
    std::string host = host_name();

    void connect() {
        try {
            receiver.reset();
            conn = std::make_unique<pqxx::connection>(conninfo);
            receiver = std::make_unique<Receiver>(*conn, notified);
        } catch (...) {
            conn.reset();
            rethrow_as_rua_error();
        }
    }

    template <typename Body> auto guarded(Body&& body) {
        if (!conn || !conn->is_open()) {
            connect();
        }
        try {
            return body(*conn);
        } catch (const rua::Error&) {
            throw;
        } catch (...) {
            if (conn && !conn->is_open()) {
                receiver.reset();
                conn.reset();
            }
            rethrow_as_rua_error();
        }
    }

    std::vector<Pending> pending() {
        return guarded([&](pqxx::connection& c) {
            pqxx::read_transaction tx{c};
            const auto rows = tx.exec_params(
                "SELECT e.id, e.done, e.attempts, r.webhook_url, r.secret_file, r.mail_to, "
                "       jsonb_build_object('event_id', e.id, 'rule_id', e.rule_id, "
                "         'account', a.name, 'kind', e.kind, 'domain', e.domain, 'key', e.key, "
                "         'created_at', e.created_at, 'details', e.payload)::text, "
                "       e.kind, coalesce(e.domain, '-'), "
                "       to_char(e.created_at AT TIME ZONE 'UTC', "
                "               'Dy, DD Mon YYYY HH24:MI:SS \"+0000\"'), "
                "       jsonb_pretty(e.payload) "
                "  FROM alert_event e JOIN alert_rule r ON r.id = e.rule_id "
                "  JOIN account a ON a.id = e.account_id "
                " WHERE e.delivered_at IS NULL AND e.attempts < $1 ORDER BY e.id LIMIT $2",
                options.max_attempts, static_cast<std::int64_t>(options.batch));
            std::vector<Pending> out;
            for (const auto& row : rows) {
                Pending p;
                p.id = row[0].as<std::int64_t>();
                p.done = parse_text_array(row[1]);
                p.attempts = row[2].as<std::int64_t>();
                for (auto [field, target] :
                     {std::pair{3, &p.webhook_url}, std::pair{4, &p.secret_file},
                      std::pair{5, &p.mail_to}}) {
                    if (!row[field].is_null()) {
                        *target = row[field].as<std::string>();
                    }
                }
                p.body = row[6].as<std::string>();
                p.kind = row[7].as<std::string>();
                p.domain = row[8].as<std::string>();
                p.date = row[9].as<std::string>();
                p.details = row[10].as<std::string>();
                out.push_back(std::move(p));
            }
            return out;
        });
    }

    // One channel, up to options.tries times; "" on success. Adds the
    // tries made to `attempts`.
    template <typename Try> std::string with_retries(Try&& attempt, std::int64_t& attempts) {
        auto delay = options.backoff;
        std::string error;
        for (int i = 0; i < options.tries; ++i) {
            if (i > 0) {
                std::this_thread::sleep_for(delay);
                delay = std::min(delay * 2, options.max_backoff);
            }
            ++attempts;
            error = attempt();
            if (error.empty()) {
                return error;
            }
        }
        return error;
    }

    std::string send_webhook(const Pending& p) {
        const auto secret = read_secret(*p.secret_file);
        if (!secret) {
            return fmt::format("cannot read the secret file {}", *p.secret_file);
        }
        return detail::post_webhook(*p.webhook_url, *secret, p.body, options.connect_timeout,
                                    options.timeout);
    }

    std::string send_mail(const Pending& p) {
        MailMessage m;
        m.from = options.mail_from.find('@') == std::string::npos ? options.mail_from + "@" + host
                                                                  : options.mail_from;
        m.to = *p.mail_to;
        m.subject = fmt::format("[rua-milter] {} alert for {}", p.kind, p.domain);
        m.body = fmt::format("rua-milter raised a {} alert for {} ({}).\n\n"
                             "Event {}. What the rule saw:\n\n{}\n",
                             p.kind, p.domain, p.date, p.id, p.details);
        m.date = p.date;
        m.message_id = fmt::format("rua-alert-{}.{}@{}", p.id, ::getpid(), host);
        std::string text;
        try {
            text = build_mail(m);
        } catch (const BadInput& e) {
            return e.what();
        }
        return detail::run_mail_command(options.mail_command, text, options.timeout);
    }

    bool deliver(Pending& p) {
        std::int64_t attempts = 0;
        std::vector<std::string> errors;
        const auto has = [&](const char* channel) {
            return std::find(p.done.begin(), p.done.end(), channel) != p.done.end();
        };
        if (p.webhook_url && !has("webhook")) {
            auto error = with_retries([&] { return send_webhook(p); }, attempts);
            if (error.empty()) {
                p.done.emplace_back("webhook");
            } else {
                errors.push_back(error);
            }
        }
        if (p.mail_to && !has("mail")) {
            auto error = with_retries([&] { return send_mail(p); }, attempts);
            if (error.empty()) {
                p.done.emplace_back("mail");
            } else {
                errors.push_back(error);
            }
        }
        std::string last_error;
        for (const auto& e : errors) {
            last_error += last_error.empty() ? e : "; " + e;
        }
        std::string done = "{";
        for (const auto& d : p.done) {
            done += (done.size() > 1 ? "," : "") + d;
        }
        done += "}";
        guarded([&](pqxx::connection& c) {
            pqxx::work tx{c};
            tx.exec_params("UPDATE alert_event SET attempts = attempts + $2, done = $3::text[], "
                           " last_error = $4, "
                           " delivered_at = CASE WHEN $5 THEN now() END WHERE id = $1",
                           p.id, attempts, done,
                           last_error.empty() ? OptString{} : OptString{last_error},
                           errors.empty());
            tx.commit();
        });
        if (errors.empty()) {
            log(fmt::format("alert {} ({} {}) delivered after {} attempt(s)", p.id, p.kind,
                            p.domain, p.attempts + attempts));
        } else {
            log(fmt::format("alert {} ({} {}) not delivered ({} attempt(s)): {}", p.id, p.kind,
                            p.domain, p.attempts + attempts, last_error));
        }
        return errors.empty();
    }
};

Worker::Worker(std::string conninfo, WorkerOptions options,
               std::function<void(std::string_view)> log)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->conninfo = std::move(conninfo);
    m_impl->options = std::move(options);
    m_impl->log = std::move(log);
    m_impl->connect();
}

Worker::~Worker() = default;

PassResult Worker::pass(bool everything) {
    PassResult result;
    m_impl->notified = false;
    // One pass at a time over all workers (a one-shot run beside the
    // service): two passes would deliver the same pending event twice. A
    // session lock, released below or with the connection.
    m_impl->guarded([](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        tx.exec("SELECT pg_advisory_lock(hashtext('rua_alert_worker'))");
    });
    struct Unlock {
        Impl& impl;
        ~Unlock() {
            try {
                if (impl.conn && impl.conn->is_open()) {
                    pqxx::nontransaction tx{*impl.conn};
                    tx.exec("SELECT pg_advisory_unlock(hashtext('rua_alert_worker'))");
                }
            } catch (...) {
                // The lock goes with the session; dropping the connection frees it.
                impl.receiver.reset();
                impl.conn.reset();
            }
        }
    } unlock{*m_impl};
    result.raised = m_impl->guarded([&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto rows = tx.exec_params("SELECT event_id FROM rua_alert_evaluate($1)", everything);
        tx.commit();
        return rows.size();
    });
    for (auto& p : m_impl->pending()) {
        if (m_impl->deliver(p)) {
            ++result.delivered;
        } else {
            ++result.failed;
        }
    }
    return result;
}

bool Worker::wait(std::chrono::milliseconds timeout) {
    return m_impl->guarded([&](pqxx::connection& c) {
        if (!m_impl->notified) {
            const auto s = timeout.count() / 1000;
            const auto us = (timeout.count() % 1000) * 1000;
            c.await_notification(static_cast<long>(s), static_cast<long>(us));
        }
        return m_impl->notified;
    });
}

} // namespace rua::alerts
