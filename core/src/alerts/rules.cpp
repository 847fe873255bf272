// The alert rules and events in the database (sql/0018): add, list and remove
// rules, list events. The checks on a rule's values are the table's CHECKs;
// this file only translates. Never evaluates or delivers (worker.cpp).
#include "store/pool.hpp"

#include <rua/admin.hpp>
#include <rua/alerts.hpp>

#include <fmt/format.h>
#include <pqxx/pqxx>

namespace rua::alerts {

namespace {

OptString text_of(const pqxx::field& field) {
    return field.is_null() ? std::nullopt : std::optional<std::string>(field.as<std::string>());
}

template <typename T> std::optional<T> value_of(const pqxx::field& field) {
    return field.is_null() ? std::nullopt : std::optional<T>(field.as<T>());
}

} // namespace

const std::vector<std::string>& rule_kinds() {
    static const std::vector<std::string> k_kinds = {
        "new-source", "compliance", "silent-reporter", "conflict", "tls-failures", "failure-burst"};
    return k_kinds;
}

std::int64_t Rules::add(const RuleSpec& spec) {
    return with_connection(m_pool, [&](pqxx::connection& conn) {
        pqxx::work tx{conn};
        const auto account = tx.exec_params("SELECT id FROM account WHERE name = $1", spec.account);
        if (account.empty()) {
            throw NotFound(fmt::format("account \"{}\" does not exist", spec.account));
        }
        const auto id =
            tx.exec_params1(
                  "INSERT INTO alert_rule (account_id, kind, domain, min_messages, below, "
                  " drop_points, reporter, days, hours, min_count, above, webhook_url, "
                  " secret_file, mail_to, cooldown_seconds) "
                  "VALUES ($1, $2, $3, $4, $5::numeric, $6::numeric, $7, $8, $9, $10, "
                  " $11::numeric, $12, $13, $14, $15) RETURNING id",
                  account[0][0].as<std::int64_t>(), spec.kind, spec.domain, spec.min_messages,
                  spec.below, spec.drop_points, spec.reporter, spec.days, spec.hours,
                  spec.min_count, spec.above, spec.webhook_url, spec.secret_file, spec.mail_to,
                  spec.cooldown_seconds)[0]
                .as<std::int64_t>();
        tx.commit();
        return id;
    });
}

std::vector<Rule> Rules::list(const OptString& account) {
    return with_connection(m_pool, [&](pqxx::connection& conn) {
        pqxx::read_transaction tx{conn};
        const auto rows = tx.exec_params(
            "SELECT r.id, a.name, r.kind, r.domain, r.min_messages, r.below::float8, "
            "       r.drop_points::float8, r.reporter, r.days, r.hours, r.min_count, "
            "       r.above::float8, r.webhook_url, r.secret_file, r.mail_to, "
            "       r.cooldown_seconds, extract(epoch FROM r.created_at)::bigint "
            "  FROM alert_rule r JOIN account a ON a.id = r.account_id "
            " WHERE $1::text IS NULL OR a.name = $1 ORDER BY r.id",
            account);
        std::vector<Rule> out;
        for (const auto& row : rows) {
            Rule rule;
            rule.id = row[0].as<std::int64_t>();
            rule.spec.account = row[1].as<std::string>();
            rule.spec.kind = row[2].as<std::string>();
            rule.spec.domain = text_of(row[3]);
            rule.spec.min_messages = row[4].as<std::int64_t>();
            rule.spec.below = value_of<double>(row[5]);
            rule.spec.drop_points = value_of<double>(row[6]);
            rule.spec.reporter = text_of(row[7]);
            rule.spec.days = value_of<std::int64_t>(row[8]);
            rule.spec.hours = value_of<std::int64_t>(row[9]);
            rule.spec.min_count = value_of<std::int64_t>(row[10]);
            rule.spec.above = row[11].as<double>();
            rule.spec.webhook_url = text_of(row[12]);
            rule.spec.secret_file = text_of(row[13]);
            rule.spec.mail_to = text_of(row[14]);
            rule.spec.cooldown_seconds = row[15].as<std::int64_t>();
            rule.created_at = row[16].as<std::int64_t>();
            out.push_back(std::move(rule));
        }
        return out;
    });
}

bool Rules::remove(std::int64_t id) {
    return with_connection(m_pool, [&](pqxx::connection& conn) {
        pqxx::work tx{conn};
        const auto rows = tx.exec_params("DELETE FROM alert_rule WHERE id = $1", id);
        tx.commit();
        return rows.affected_rows() > 0;
    });
}

std::vector<Event> Rules::events(const OptString& account, std::int64_t since_seconds) {
    return with_connection(m_pool, [&](pqxx::connection& conn) {
        pqxx::read_transaction tx{conn};
        const auto rows = tx.exec_params(
            "SELECT e.id, e.rule_id, a.name, e.kind, e.domain, e.key, e.payload::text, "
            "       extract(epoch FROM e.created_at)::bigint, "
            "       extract(epoch FROM e.delivered_at)::bigint, e.attempts, e.last_error "
            "  FROM alert_event e JOIN account a ON a.id = e.account_id "
            " WHERE ($1::text IS NULL OR a.name = $1) "
            "   AND e.created_at > now() - $2::bigint * interval '1 second' "
            " ORDER BY e.id",
            account, since_seconds);
        std::vector<Event> out;
        for (const auto& row : rows) {
            Event event;
            event.id = row[0].as<std::int64_t>();
            event.rule_id = value_of<std::int64_t>(row[1]);
            event.account = row[2].as<std::string>();
            event.kind = row[3].as<std::string>();
            event.domain = text_of(row[4]);
            event.key = row[5].as<std::string>();
            event.payload = row[6].as<std::string>();
            event.created_at = row[7].as<std::int64_t>();
            event.delivered_at = value_of<std::int64_t>(row[8]);
            event.attempts = row[9].as<std::int64_t>();
            event.last_error = text_of(row[10]);
            out.push_back(std::move(event));
        }
        return out;
    });
}

} // namespace rua::alerts
