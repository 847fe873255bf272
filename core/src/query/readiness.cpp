// Whether a domain can take its next DMARC policy step (p=none ->
// quarantine -> pct=100 -> reject), with the reasons: the one verdict
// `ruactl summary` and the dashboard both show. Numbers from the v_day_*
// rollup views, the latest report's published policy, and the failing
// messages of sources the account has not approved (sql/0016, through the
// aggregate kind's store_analytics.cpp); the thresholds are the constants
// below. Read-only; never decides anything for the owner.
#include "query/analytics.hpp"
#include "query/kind_queries.hpp"

#include <rua/query.hpp>

#include <fmt/format.h>

namespace rua::query {

namespace {

// The evidence a step wants: enough days and reporters to trust the
// numbers, few enough failing messages (all of them, and those from sources
// the account has not approved) that the step harms little legitimate mail.
constexpr std::int64_t k_min_days_with_data = 14;
constexpr std::int64_t k_min_reporters = 2;
constexpr double k_max_unapproved_pct = 1.0;

struct Step {
    const char* text;
    double min_compliance;
};

// The next step from the published policy; nullptr at p=reject, pct=100.
const Step* next_step(const std::optional<std::string>& p, std::int64_t pct) {
    static const Step quarantine{"move to p=quarantine", 98.0};
    static const Step quarantine_pct{"raise pct to 100", 98.0};
    static const Step reject{"move to p=reject", 99.0};
    static const Step reject_pct{"raise pct to 100", 99.0};
    if (p == "reject") {
        return pct < 100 ? &reject_pct : nullptr;
    }
    if (p == "quarantine") {
        return pct < 100 ? &quarantine_pct : &reject;
    }
    return &quarantine; // none, absent, or a value no receiver knows
}

std::string one_decimal(double value) {
    return fmt::format("{:.1f}", value);
}

std::string plural(std::int64_t n, const char* one, const char* many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

void judge(Readiness& r) {
    const auto pct = r.pct.value_or(100);
    const Step* step = next_step(r.p, pct);
    if (step) {
        r.next_step = step->text;
    }
    r.checks.push_back({"policy",
                        r.p ? fmt::format("p={} sp={} pct={}", *r.p, r.sp.value_or("-"), pct)
                            : std::string("no report"),
                        step ? step->text : "no further step", r.p.has_value()});
    const double min_compliance = step ? step->min_compliance : 99.0;
    r.checks.push_back({"compliance",
                        r.compliance_pct ? one_decimal(*r.compliance_pct) + " %" : "-",
                        ">= " + one_decimal(min_compliance) + " %",
                        r.compliance_pct && *r.compliance_pct >= min_compliance});
    r.checks.push_back(
        {"unapproved",
         fmt::format("{}, {} % failing", plural(r.unapproved_sources, "source", "sources"),
                     one_decimal(r.unapproved_pct.value_or(0.0))),
         "<= " + one_decimal(k_max_unapproved_pct) + " %",
         r.unapproved_pct.value_or(0.0) <= k_max_unapproved_pct});
    r.checks.push_back({"reporters", std::to_string(r.reporters),
                        ">= " + std::to_string(k_min_reporters), r.reporters >= k_min_reporters});
    r.checks.push_back({"data", plural(r.days_with_data, "day", "days"),
                        fmt::format(">= {} days", k_min_days_with_data),
                        r.days_with_data >= k_min_days_with_data});

    std::vector<std::string> against;
    for (const auto& check : r.checks) {
        if (!check.ok) {
            against.push_back(
                check.name == "policy" ? std::string("no report")
                : check.name == "compliance"
                    ? fmt::format("compliance {} < {} %", check.value, one_decimal(min_compliance))
                : check.name == "unapproved"
                    ? fmt::format("unapproved {} % > {} %",
                                  one_decimal(r.unapproved_pct.value_or(0.0)),
                                  one_decimal(k_max_unapproved_pct))
                : check.name == "reporters"
                    ? fmt::format("{} < {}", plural(r.reporters, "reporter", "reporters"),
                                  k_min_reporters)
                    : fmt::format("{} of data < {}", check.value, k_min_days_with_data));
        }
    }
    r.ready = step && against.empty();

    std::string line = r.domain + ": ";
    if (r.messages == 0) {
        line += fmt::format("no DMARC aggregate data over {}", plural(r.days, "day", "days"));
    } else {
        line += fmt::format("{} % compliant over {}", one_decimal(r.compliance_pct.value_or(0.0)),
                            plural(r.days, "day", "days"));
        line += fmt::format("; {} {} {} % failing",
                            plural(r.unapproved_sources, "unapproved source", "unapproved sources"),
                            r.unapproved_sources == 1 ? "sends" : "send",
                            one_decimal(r.unapproved_pct.value_or(0.0)));
    }
    if (!step) {
        line += fmt::format("; at p=reject pct={}: no further step", pct);
    } else if (r.ready) {
        line += fmt::format("; safe to {}? yes", step->text);
    } else {
        line += fmt::format("; safe to {}? no ({})", step->text, fmt::join(against, "; "));
    }
    r.line = std::move(line);
}

} // namespace

std::vector<Readiness> Queries::readiness(const Principal& who, std::string_view domain, int days,
                                          bool rollup) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        const auto account = detail::scope(who);
        const auto domains = detail::covered_domains(tx, who, std::string(domain), days, rollup);
        const auto policies = detail::dmarc_policies(tx, account, domains);
        std::vector<Readiness> out;
        for (const auto& name : domains) {
            Readiness r;
            r.domain = name;
            r.days = days;
            // $1 account, $2 domain, $3 days: the window of the overview.
            const auto totals = tx.exec_params1(
                "SELECT coalesce(sum(messages), 0)::bigint,"
                " coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint,"
                " count(DISTINCT day)"
                " FROM v_day_domain WHERE ($1::bigint IS NULL OR account_id = $1)"
                "  AND domain = $2 AND day > current_date - $3::int AND day <= current_date",
                account, name, days);
            r.messages = totals[0].as<std::int64_t>();
            r.pass = totals[1].as<std::int64_t>();
            r.fail = r.messages - r.pass;
            r.days_with_data = totals[2].as<std::int64_t>();
            r.compliance_pct = detail::percent(r.pass, r.messages);
            r.reporters = tx.exec_params1("SELECT count(DISTINCT reporter) FROM v_day_source"
                                          " WHERE ($1::bigint IS NULL OR account_id = $1)"
                                          "  AND domain = $2 AND day > current_date - $3::int"
                                          "  AND day <= current_date",
                                          account, name, days)[0]
                              .as<std::int64_t>();
            const auto [sources, failing] = detail::dmarc_unapproved(tx, account, name, days);
            r.unapproved_sources = sources;
            r.unapproved_messages = failing;
            r.unapproved_pct = detail::percent(failing, r.messages);
            if (const auto it = policies.find(name); it != policies.end()) {
                r.p = it->second.p;
                r.sp = it->second.sp;
                r.pct = it->second.pct;
                r.last_report = it->second.last_report;
            }
            judge(r);
            out.push_back(std::move(r));
        }
        return out;
    });
}

std::vector<Table> readiness_tables(const std::vector<Readiness>& list) {
    const auto opt = [](const auto& value) -> Cell {
        if (value) {
            return Cell{*value};
        }
        return Cell{};
    };
    Table main;
    main.name = "readiness";
    main.columns = {"domain",
                    "days",
                    "messages",
                    "pass",
                    "fail",
                    "compliance_pct",
                    "p",
                    "sp",
                    "pct",
                    "last_report",
                    "unapproved_sources",
                    "unapproved_messages",
                    "unapproved_pct",
                    "reporters",
                    "days_with_data",
                    "next_step",
                    "ready",
                    "line"};
    Table checks;
    checks.name = "checks";
    checks.columns = {"domain", "check", "value", "want", "ok"};
    for (const auto& r : list) {
        main.rows.push_back({r.domain, std::int64_t{r.days}, r.messages, r.pass, r.fail,
                             opt(r.compliance_pct), opt(r.p), opt(r.sp), opt(r.pct),
                             opt(r.last_report), r.unapproved_sources, r.unapproved_messages,
                             opt(r.unapproved_pct), r.reporters, r.days_with_data, opt(r.next_step),
                             r.ready, r.line});
        for (const auto& c : r.checks) {
            checks.rows.push_back({r.domain, c.name, c.value, c.want, c.ok});
        }
    }
    return {std::move(main), std::move(checks)};
}

} // namespace rua::query
