// `ruactl fetch`: stores the reports of a hosted mailbox (IMAP) through
// rua::process_message, the milter's own decision path, and moves each
// message to the done folder only once its outcome is committed, by UID, so
// a crash or a kill never loses a report and a re-run stores nothing twice.
// The IMAP client is core's (rua/imap.hpp); this file is the loop.
#include "cli.hpp"
#include "commands.hpp"
#include "fetch_ahead.hpp"
#include "fetch_options.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "session.hpp"

#include <rua/errors.hpp>
#include <rua/imap.hpp>
#include <rua/process.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

namespace ruactl {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_fetch_stop(int /*signal*/) {
    g_stop = true;
}

struct Totals {
    std::size_t stored = 0;
    std::size_t duplicate = 0;
    std::size_t quarantined = 0;
    std::size_t failed = 0;
    std::size_t reports = 0;
    std::size_t records = 0;
    std::size_t moved = 0;
    std::size_t handled = 0; // messages looked at (for --limit)
};

class Fetcher {
public:
    Fetcher(const FetchSettings& settings, rua::imap::Client& client, rua::Store& store,
            const rua::ProcessOptions& options)
        : m_settings(settings), m_client(client), m_store(store), m_options(options),
          m_mailbox(printable_cell(settings.url.mailbox)) {}

    // Batches until nothing is left above the cursor, --limit is reached,
    // a signal came, or the database said to try later (then false).
    bool pass() {
        try {
            return batches();
        } catch (const rua::TryLater&) {
            // The server went away, maybe before committed messages moved:
            // the next pass (--watch) looks at the whole mailbox again.
            m_after = 0;
            throw;
        }
    }

    const Totals& totals() const { return m_totals; }

private:
    enum class Outcome { committed, left, later };

    bool batches() {
        const auto status = m_client.status();
        if (status.uid_validity != m_validity) {
            // UIDs of another UIDVALIDITY mean other messages.
            m_validity = status.uid_validity;
            m_after = 0;
        }
        if (!m_folder_ready) {
            m_client.ensure_folder(m_settings.done_folder);
            m_folder_ready = true;
        }
        auto total = static_cast<std::size_t>(status.messages);
        if (m_settings.limit) {
            total =
                std::min(total, *m_settings.limit - std::min(*m_settings.limit, m_totals.handled));
        }
        Progress progress(total, m_settings.progress);
        for (;;) {
            std::size_t want = m_settings.batch;
            if (m_settings.limit) {
                want = std::min(want,
                                *m_settings.limit - std::min(*m_settings.limit, m_totals.handled));
            }
            if (want == 0 || g_stop) {
                return true;
            }
            const auto batch = m_client.next_batch(m_after, want);
            if (batch.empty()) {
                return true;
            }
            std::vector<std::uint32_t> wanted;
            for (const auto& message : batch) {
                if (message.size <= m_settings.limits.max_message_bytes) {
                    wanted.push_back(message.uid);
                }
            }
            m_client.mark_seen(wanted);
            std::vector<std::uint32_t> done;
            bool later = false;
            {
                // The client is the fetch thread's until `ahead` is gone.
                FetchAhead ahead(m_client, batch, m_settings.limits.max_message_bytes);
                while (auto item = ahead.next()) {
                    if (g_stop) {
                        break;
                    }
                    const auto uid = item->info.uid;
                    const auto verdict = handle(*item, progress);
                    if (verdict == Outcome::later) {
                        // The cursor stays below it: the next pass tries it again.
                        later = true;
                        break;
                    }
                    m_after = std::max(m_after, uid);
                    m_totals.handled += 1;
                    progress.advance();
                    if (verdict == Outcome::committed) {
                        done.push_back(uid);
                    }
                }
            }
            // Only what is committed moves; the rest stays where it was.
            m_client.move(done, m_settings.done_folder);
            m_totals.moved += done.size();
            if (later) {
                return false;
            }
        }
    }

    Outcome handle(FetchAhead::Item& item, Progress& progress) {
        const auto& message = item.info;
        const auto where = fmt::format("{} UID {}", m_mailbox, message.uid);
        const auto max = m_settings.limits.max_message_bytes;
        if (item.too_large) {
            // Not fetched: it could not be processed whole anyway.
            m_totals.failed += 1;
            progress.say(fmt::format("{}: {} bytes, larger than --max-size ({}): left in the "
                                     "mailbox",
                                     where, message.size, max));
            return Outcome::left;
        }
        try {
            if (item.error) {
                std::rethrow_exception(item.error);
            }
        } catch (const rua::TryLater&) {
            throw;
        } catch (const rua::ConfigError&) {
            throw;
        } catch (const rua::Error& e) {
            m_totals.failed += 1;
            progress.say(fmt::format("{}: {}: left in the mailbox", where, e.what()));
            return Outcome::left;
        }
        rua::Arrival arrival;
        arrival.via = "imap";
        arrival.file = fmt::format("{};UIDVALIDITY={}/;UID={}", m_settings.url.display(),
                                   m_validity, message.uid);
        if (!m_options.ruas.empty()) {
            arrival.rua = m_options.ruas.front().address;
        }
        rua::ProcessResult result;
        try {
            result = rua::process_message(m_store, item.raw, m_settings.limits, arrival, m_options);
        } catch (const std::exception& e) {
            m_totals.failed += 1;
            progress.say(
                fmt::format("{}: internal error: {}: left in the mailbox", where, e.what()));
            return Outcome::left;
        }
        switch (result.verdict) {
        case rua::Verdict::stored:
        case rua::Verdict::duplicate:
            (result.verdict == rua::Verdict::stored ? m_totals.stored : m_totals.duplicate) += 1;
            m_totals.reports += result.ingest.reports.size();
            m_totals.records += result.items();
            for (const auto& part : result.bad_parts) {
                progress.say(fmt::format("{}: quarantined (id {}, bad_part): {}", where,
                                         result.quarantine_id, printable_cell(part)));
            }
            return Outcome::committed;
        case rua::Verdict::quarantined:
            // Kept in the quarantine table: the mailbox copy may go too.
            m_totals.quarantined += 1;
            progress.say(fmt::format("{}: quarantined (id {}, {}): {}", where, result.quarantine_id,
                                     result.reason_code, printable_cell(result.reason)));
            return Outcome::committed;
        case rua::Verdict::rejected:
            m_totals.failed += 1;
            progress.say(
                fmt::format("{}: {}: left in the mailbox", where, printable_cell(result.reason)));
            return Outcome::left;
        case rua::Verdict::try_later:
            m_totals.failed += 1;
            progress.say(fmt::format("{}: try again later: {}: left in the mailbox", where,
                                     printable_cell(result.reason)));
            return Outcome::later;
        }
        return Outcome::left;
    }

    const FetchSettings& m_settings;
    rua::imap::Client& m_client;
    rua::Store& m_store;
    const rua::ProcessOptions& m_options;
    std::string m_mailbox;
    Totals m_totals;
    std::uint32_t m_validity = 0;
    std::uint32_t m_after = 0; // UIDs up to this one were looked at in this run
    bool m_folder_ready = false;
};

double per_second(std::size_t count, double seconds) {
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

// Up to `seconds`, in steps of a second so that a signal is seen.
void pause(std::int64_t seconds) {
    for (std::int64_t waited = 0; waited < seconds && !g_stop; ++waited) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

} // namespace

int cmd_fetch(const std::string& name, const Argv& argv) {
    const FetchSettings settings = fetch_settings(name, argv);
    check_database(settings.args);
    rua::ConnectionPool pool(database_url(settings.args), 1);
    const rua::ProcessOptions options = fetch_process_options(settings, pool);
    rua::Store store(pool);

    rua::imap::ClientOptions client_options;
    client_options.password = settings.password;
    client_options.ca_file = settings.ca_file;
    rua::imap::Client client(settings.url, client_options);
    Fetcher fetcher(settings, client, store, options);

    (void)std::signal(SIGTERM, on_fetch_stop);
    (void)std::signal(SIGINT, on_fetch_stop);
    const auto start = std::chrono::steady_clock::now();
    bool database_later = false;
    bool server_later = false;
    for (;;) {
        server_later = false;
        try {
            database_later = !fetcher.pass();
        } catch (const rua::TryLater& e) {
            // The IMAP server (the database says so through the verdict).
            server_later = true;
            complain("try again later: {}{}", e.what(),
                     settings.watch ? fmt::format("; trying again in {} s", settings.interval)
                                    : std::string());
        }
        if (database_later) {
            complain("fetch stopped: the database is unavailable; the message and those after it "
                     "stay in {}; {}",
                     printable_cell(settings.url.mailbox),
                     settings.watch ? fmt::format("trying again in {} s", settings.interval)
                                    : std::string("run the same fetch again later"));
        }
        const bool limit_reached = settings.limit && fetcher.totals().handled >= *settings.limit;
        if (!settings.watch || g_stop || limit_reached) {
            break;
        }
        pause(settings.interval);
        if (g_stop) {
            break;
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto& t = fetcher.totals();
    const auto messages = t.stored + t.duplicate + t.quarantined;
    write_stdout(fmt::format("stored {}, duplicate {}, quarantined {}, failed {}; {} reports, {} "
                             "records in {:.1f} s ({:.1f} messages/s)\n",
                             t.stored, t.duplicate, t.quarantined, t.failed, t.reports, t.records,
                             seconds, per_second(messages, seconds)));
    write_stdout(fmt::format("moved {} {} to {}\n", t.moved, t.moved == 1 ? "message" : "messages",
                             printable_cell(settings.done_folder)));
    flush_stdout();
    if ((database_later || server_later) && !settings.watch) {
        return k_exit_tempfail;
    }
    return t.failed == 0 ? k_exit_ok : k_exit_failure;
}

} // namespace ruactl
