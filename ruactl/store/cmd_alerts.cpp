// `ruactl alert add|list|remove` (the rules) and `ruactl alerts run|list`
// (the worker and the events it raised). Thin: parse the words, call
// rua::alerts, print. Sender-chosen text (domains, reporters, payloads) goes
// through render_table / printable_cell.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/alerts.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <thread>

namespace ruactl {

namespace {

constexpr std::uint64_t k_max_count = 1'000'000'000'000ULL;

// A percentage or a number of points: a decimal in (0, 100].
double parse_percent(const std::string& option, const std::string& text) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) || value < 0 ||
        value > 100) {
        throw UsageError(
            fmt::format("{}: invalid value '{}' (expected a number from 0 to 100)", option, text));
    }
    return value;
}

// Which options each kind takes beyond the common ones.
const std::map<std::string, std::set<std::string>>& kind_options() {
    static const std::map<std::string, std::set<std::string>> k_options = {
        {"new-source", {"--min-messages"}},
        {"compliance", {"--below", "--drop", "--min-messages"}},
        {"silent-reporter", {"--reporter", "--days"}},
        {"conflict", {}},
        {"tls-failures", {"--min-failed", "--above", "--hours"}},
        {"failure-burst", {"--count", "--hours"}},
    };
    return k_options;
}

std::string condition(const rua::alerts::RuleSpec& s) {
    const auto num = [](double v) { return fmt::format("{:g}", v); };
    if (s.kind == "new-source") {
        return fmt::format("failing messages >= {}", s.min_messages);
    }
    if (s.kind == "compliance") {
        std::string out;
        if (s.below) {
            out = "below " + num(*s.below) + "%";
        }
        if (s.drop_points) {
            out += (out.empty() ? "" : " or ") + ("drop >= " + num(*s.drop_points) + " points");
        }
        return out + fmt::format(" (messages >= {})", s.min_messages);
    }
    if (s.kind == "silent-reporter") {
        return fmt::format("{} silent {}d", s.reporter.value_or("?"), s.days.value_or(0));
    }
    if (s.kind == "tls-failures") {
        return fmt::format("failed >= {} and > {}% in {}h", s.min_count.value_or(0), num(s.above),
                           s.hours.value_or(0));
    }
    if (s.kind == "failure-burst") {
        return fmt::format("reports >= {} in {}h", s.min_count.value_or(0), s.hours.value_or(0));
    }
    return "-";
}

std::atomic<bool> g_stop{false};

extern "C" void on_stop(int /*signal*/) {
    g_stop = true;
}

} // namespace

int cmd_alert_add(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--account", true, false},
               {"--domain", true, false},
               {"--min-messages", true, false},
               {"--below", true, false},
               {"--drop", true, false},
               {"--reporter", true, false},
               {"--days", true, false},
               {"--hours", true, false},
               {"--count", true, false},
               {"--min-failed", true, false},
               {"--above", true, false},
               {"--webhook", true, false},
               {"--secret-file", true, false},
               {"--mail", true, false},
               {"--cooldown", true, false}});
    args.expect_operands(1, 1, "KIND");
    rua::alerts::RuleSpec spec;
    spec.kind = args.operands()[0];
    const auto allowed = kind_options().find(spec.kind);
    if (allowed == kind_options().end()) {
        throw UsageError(fmt::format("{}: unknown kind '{}' (new-source, compliance, "
                                     "silent-reporter, conflict, tls-failures, failure-burst)",
                                     name, spec.kind));
    }
    for (const char* option : {"--min-messages", "--below", "--drop", "--reporter", "--days",
                               "--hours", "--count", "--min-failed", "--above"}) {
        if (args.has(option) && allowed->second.count(option) == 0) {
            throw UsageError(fmt::format("{}: {} does not apply to {}", name, option, spec.kind));
        }
    }
    const auto account = args.value("--account");
    if (!account) {
        throw UsageError(fmt::format("{}: --account NAME is required", name));
    }
    spec.account = *account;
    spec.domain = args.value("--domain");
    if (spec.domain) {
        std::transform(spec.domain->begin(), spec.domain->end(), spec.domain->begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    if (const auto v = args.value("--min-messages")) {
        spec.min_messages =
            static_cast<std::int64_t>(parse_count("--min-messages", *v, k_max_count));
    }
    if (const auto v = args.value("--below")) {
        spec.below = parse_percent("--below", *v);
    }
    if (const auto v = args.value("--drop")) {
        spec.drop_points = parse_percent("--drop", *v);
    }
    if (spec.kind == "compliance" && !spec.below && !spec.drop_points) {
        throw UsageError(fmt::format("{}: compliance needs --below PCT or --drop POINTS", name));
    }
    if (spec.kind == "silent-reporter") {
        const auto reporter = args.value("--reporter");
        if (!reporter) {
            throw UsageError(fmt::format("{}: silent-reporter needs --reporter NAME", name));
        }
        std::string lower = *reporter;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        spec.reporter = lower;
        spec.days = static_cast<std::int64_t>(
            parse_count("--days", args.value("--days").value_or("2"), 365));
    }
    if (spec.kind == "tls-failures") {
        spec.min_count = static_cast<std::int64_t>(
            parse_count("--min-failed", args.value("--min-failed").value_or("1"), k_max_count));
        if (const auto v = args.value("--above")) {
            spec.above = parse_percent("--above", *v);
        }
        spec.hours = static_cast<std::int64_t>(
            parse_count("--hours", args.value("--hours").value_or("24"), 720));
    }
    if (spec.kind == "failure-burst") {
        spec.min_count = static_cast<std::int64_t>(
            parse_count("--count", args.value("--count").value_or("10"), k_max_count));
        spec.hours = static_cast<std::int64_t>(
            parse_count("--hours", args.value("--hours").value_or("1"), 720));
    }
    spec.webhook_url = args.value("--webhook");
    spec.secret_file = args.value("--secret-file");
    spec.mail_to = args.value("--mail");
    if (!spec.webhook_url && !spec.mail_to) {
        throw UsageError(fmt::format(
            "{}: give --webhook URL --secret-file FILE, --mail ADDRESS, or both", name));
    }
    if (spec.webhook_url.has_value() != spec.secret_file.has_value()) {
        throw UsageError(fmt::format("{}: --webhook and --secret-file go together", name));
    }
    if (spec.webhook_url && spec.webhook_url->rfind("http://", 0) != 0 &&
        spec.webhook_url->rfind("https://", 0) != 0) {
        throw UsageError(fmt::format("{}: --webhook must be an http:// or https:// URL", name));
    }
    if (spec.secret_file && (spec.secret_file->empty() || (*spec.secret_file)[0] != '/')) {
        throw UsageError(fmt::format("{}: --secret-file must be an absolute path", name));
    }
    if (const auto v = args.value("--cooldown")) {
        spec.cooldown_seconds = parse_duration("--cooldown", *v);
        if (spec.cooldown_seconds > 31'536'000) {
            throw UsageError(fmt::format("{}: --cooldown is at most 365d", name));
        }
    }
    Session session(args);
    rua::alerts::Rules rules(session.pool());
    const auto id = rules.add(spec);
    write_stdout(fmt::format("alert rule {} added\n", id));
    return k_exit_ok;
}

int cmd_alert_list(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}});
    args.expect_operands(0, 0, "");
    Session session(args);
    rua::alerts::Rules rules(session.pool());
    std::vector<Row> rows;
    for (const auto& rule : rules.list(args.value("--account"))) {
        std::string delivery;
        if (rule.spec.webhook_url) {
            delivery = "webhook " + *rule.spec.webhook_url;
        }
        if (rule.spec.mail_to) {
            delivery += (delivery.empty() ? "" : ", ") + ("mail " + *rule.spec.mail_to);
        }
        rows.push_back({std::to_string(rule.id), rule.spec.account, rule.spec.kind,
                        rule.spec.domain.value_or("(all)"), condition(rule.spec), delivery,
                        std::to_string(rule.spec.cooldown_seconds) + "s"});
    }
    write_stdout(
        render_table({"ID", "ACCOUNT", "KIND", "DOMAIN", "CONDITION", "DELIVERY", "COOLDOWN"}, rows,
                     {true, false, false, false, false, false, true}));
    return k_exit_ok;
}

int cmd_alert_remove(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(1, 1, "ID");
    const auto id = static_cast<std::int64_t>(
        parse_count(name + ": ID", args.operands()[0],
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
    Session session(args);
    rua::alerts::Rules rules(session.pool());
    if (!rules.remove(id)) {
        complain("{}: no alert rule {}", name, id);
        return k_exit_failure;
    }
    write_stdout(fmt::format("alert rule {} removed\n", id));
    return k_exit_ok;
}

int cmd_alerts_list(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}, {"--since", true, false}});
    args.expect_operands(0, 0, "");
    const auto since = parse_duration("--since", args.value("--since").value_or("7d"));
    Session session(args);
    rua::alerts::Rules rules(session.pool());
    std::vector<Row> rows;
    for (const auto& e : rules.events(args.value("--account"), since)) {
        rows.push_back({std::to_string(e.id), e.account,
                        e.rule_id ? std::to_string(*e.rule_id) : "-", e.kind,
                        e.domain.value_or("-"), e.key, format_time(e.created_at),
                        e.delivered_at ? format_time(*e.delivered_at) : "-",
                        std::to_string(e.attempts), e.last_error.value_or("-")});
    }
    write_stdout(render_table({"ID", "ACCOUNT", "RULE", "KIND", "DOMAIN", "KEY", "RAISED",
                               "DELIVERED", "ATTEMPTS", "ERROR"},
                              rows,
                              {true, false, true, false, false, false, false, false, true, false}));
    return k_exit_ok;
}

int cmd_alerts_run(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--follow", false, false},
               {"--mail-command", true, false},
               {"--mail-from", true, false},
               {"--tries", true, false},
               {"--backoff", true, false},
               {"--timeout", true, false},
               {"--interval", true, false}});
    args.expect_operands(0, 0, "");
    rua::alerts::WorkerOptions options;
    if (const auto v = args.value("--mail-command")) {
        options.mail_command.clear();
        std::string word;
        for (char c : *v + " ") {
            if (c == ' ' || c == '\t') {
                if (!word.empty()) {
                    options.mail_command.push_back(word);
                }
                word.clear();
            } else {
                word += c;
            }
        }
        if (options.mail_command.empty() || options.mail_command[0][0] != '/') {
            throw UsageError(
                fmt::format("{}: --mail-command must start with an absolute path", name));
        }
    }
    if (const auto v = args.value("--mail-from")) {
        options.mail_from = *v;
    }
    if (const auto v = args.value("--tries")) {
        options.tries = static_cast<int>(parse_count("--tries", *v, 10));
    }
    if (const auto v = args.value("--backoff")) {
        options.backoff = std::chrono::seconds(parse_duration("--backoff", *v));
        options.max_backoff = std::max(options.max_backoff, options.backoff);
    }
    if (const auto v = args.value("--timeout")) {
        const auto seconds = parse_duration("--timeout", *v);
        if (seconds < 1 || seconds > 600) {
            throw UsageError(fmt::format("{}: --timeout must be from 1s to 10m", name));
        }
        options.timeout = std::chrono::seconds(seconds);
        options.connect_timeout = std::min(options.connect_timeout, options.timeout);
    }
    std::int64_t interval = 300;
    if (const auto v = args.value("--interval")) {
        interval = parse_duration("--interval", *v);
        if (interval < 1 || interval > 86400) {
            throw UsageError(fmt::format("{}: --interval must be from 1s to 1d", name));
        }
    }
    const bool follow = args.has("--follow");
    check_database(args);
    rua::alerts::Worker worker(database_url(args), options, [](std::string_view line) {
        write_stdout(printable_cell(line) + "\n");
        flush_stdout();
    });
    if (!follow) {
        const auto r = worker.pass(true);
        write_stdout(fmt::format("alerts: {} raised, {} delivered, {} not delivered\n", r.raised,
                                 r.delivered, r.failed));
        return r.failed == 0 ? k_exit_ok : k_exit_failure;
    }
    (void)std::signal(SIGTERM, on_stop);
    (void)std::signal(SIGINT, on_stop);
    bool everything = true;
    bool said = false;
    while (!g_stop) {
        try {
            const auto r = worker.pass(everything);
            everything = false;
            if (r.raised + r.delivered + r.failed > 0) {
                write_stdout(fmt::format("alerts: {} raised, {} delivered, {} not delivered\n",
                                         r.raised, r.delivered, r.failed));
                flush_stdout();
            }
            if (!said) {
                write_stdout(fmt::format("alerts: waiting for notifications (a pass at least "
                                         "every {}s)\n",
                                         interval));
                flush_stdout();
                said = true;
            }
            // Up to `interval`, in steps of a second so a signal is seen.
            for (std::int64_t waited = 0; waited < interval && !g_stop; ++waited) {
                if (worker.wait(std::chrono::seconds(1))) {
                    break;
                }
            }
        } catch (const rua::TryLater& e) {
            complain("{}: try again later: {}", name, e.what());
            for (int waited = 0; waited < 10 && !g_stop; ++waited) {
                std::this_thread::sleep_for(std::chrono::seconds(1));
            }
        }
    }
    return k_exit_ok;
}

} // namespace ruactl
