// `ruactl enrich`: the enrichment worker (rua::Enricher, sql/0016). Loads the
// shipped provider map, then resolves the queued source addresses in rounds
// until the queue is empty; with --follow it then waits --interval between
// rounds until SIGTERM or SIGINT (rua-milter-enrich.service). Thin: options
// in, figures out; the work is in core/src/enrich/.
#include "cli.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/enrich.hpp>
#include <rua/errors.hpp>

#include <csignal>
#include <ctime>
#include <fstream>
#include <sstream>

namespace ruactl {

namespace {

// SIGTERM and SIGINT blocked, to be taken by sigtimedwait between rounds:
// a round in progress always finishes (its transaction commits).
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

// Waits `seconds` or until a stop signal; true when one came.
bool wait_for_stop(const sigset_t& set, std::int64_t seconds) {
    timespec timeout{static_cast<std::time_t>(seconds), 0};
    while (true) {
        const int sig = sigtimedwait(&set, nullptr, &timeout);
        if (sig > 0) {
            return true;
        }
        if (errno != EINTR) {
            return false; // EAGAIN: the interval passed
        }
    }
}

} // namespace

int cmd_enrich(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--follow", false, false},
               {"--batch", true, false},
               {"--concurrency", true, false},
               {"--timeout", true, false},
               {"--resolver", true, false},
               {"--unbound-config", true, false},
               {"--mmdb", true, false},
               {"--providers", true, false},
               {"--interval", true, false}});
    args.expect_operands(0, 0, "");
    rua::EnrichSettings settings;
    if (auto text = args.value("--batch")) {
        settings.batch = parse_count("--batch", *text, 10000);
    }
    if (auto text = args.value("--concurrency")) {
        settings.concurrency = parse_count("--concurrency", *text, 1000);
    }
    if (auto text = args.value("--timeout")) {
        const auto seconds = parse_duration("--timeout", *text);
        if (seconds < 1 || seconds > 60) {
            throw UsageError(fmt::format("--timeout: {} is not within 1s..60s", *text));
        }
        settings.timeout_ms = seconds * 1000;
    }
    std::int64_t interval = 10;
    if (auto text = args.value("--interval")) {
        interval = parse_duration("--interval", *text);
        if (interval < 1 || interval > 3600) {
            throw UsageError(fmt::format("--interval: {} is not within 1s..1h", *text));
        }
    }
    settings.resolver = args.value("--resolver").value_or("");
    settings.unbound_config = args.value("--unbound-config").value_or("");
    settings.mmdb = args.value("--mmdb").value_or("");
    const std::string providers = args.value("--providers").value_or(rua::default_provider_file());
    const auto entries = rua::parse_provider_file(read_setup_file(providers), providers);

    const sigset_t stop = stop_signals();
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    Session session(args);
    rua::Sources(session.pool()).load_providers(entries);
    rua::Enricher enricher(session.pool(), settings,
                           [](std::string_view line) { write_stderr(std::string(line) + "\n"); });
    rua::EnrichStats total;
    while (true) {
        const auto round = enricher.run_once();
        total.reports += round.reports;
        total.taken += round.taken;
        total.ok += round.ok;
        total.confirmed += round.confirmed;
        total.nxdomain += round.nxdomain;
        total.servfail += round.servfail;
        total.timeout += round.timeout;
        total.with_asn += round.with_asn;
        total.queries += round.queries;
        total.ms += round.ms;
        if (round.taken > 0 || round.reports > 0) {
            continue;
        }
        if (!args.has("--follow") || wait_for_stop(stop, interval)) {
            break;
        }
    }
    write_stdout(fmt::format("queued the new addresses of {} {}; enriched {} addresses: {} with a "
                             "PTR ({} confirmed), {} nxdomain, {} servfail, {} timeout, {} with an "
                             "ASN; {} DNS queries, {} ms\n",
                             total.reports, total.reports == 1 ? "report" : "reports", total.taken,
                             total.ok, total.confirmed, total.nxdomain, total.servfail,
                             total.timeout, total.with_asn, total.queries, total.ms));
    return k_exit_ok;
}

} // namespace ruactl
