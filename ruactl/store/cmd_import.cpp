// `ruactl import`: stores reports from files, mbox files, Maildirs and
// directory trees through rua::process_message, the milter's own decision
// path, with N workers sharing one connection pool. Stops taking new inputs
// once the database says "try later"; never stores a report twice, and with
// --remove-imported never removes a file whose outcome is not committed.
#include "cli.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "limits_options.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "session.hpp"

#include <rua/errors.hpp>
#include <rua/mailbox.hpp>
#include <rua/process.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace ruactl {

namespace {

// An mbox may hold many messages; a single message stays within --max-size.
constexpr std::size_t k_max_file_bytes = std::size_t{1} << 30;

struct Totals {
    std::atomic<std::size_t> stored{0};
    std::atomic<std::size_t> duplicate{0};
    std::atomic<std::size_t> quarantined{0};
    std::atomic<std::size_t> failed{0};
    std::atomic<std::size_t> reports{0};
    std::atomic<std::size_t> records{0};
    std::atomic<std::size_t> not_attempted{0};
    std::atomic<std::size_t> removed{0};
};

class Importer {
public:
    Importer(rua::ConnectionPool& pool, const rua::Limits& limits,
             const rua::ProcessOptions& options, const std::vector<std::filesystem::path>& files,
             Progress& progress, bool follow_symlinks, bool remove_imported)
        : m_store(pool), m_limits(limits), m_options(options), m_files(files), m_progress(progress),
          m_follow_symlinks(follow_symlinks), m_remove_imported(remove_imported) {}

    void run_worker() {
        for (;;) {
            const auto index = m_next.fetch_add(1);
            if (index >= m_files.size()) {
                return;
            }
            if (m_stop.load()) {
                m_totals.not_attempted += 1;
                continue;
            }
            import_file(m_files[index].string());
            m_progress.advance();
        }
    }

    Totals& totals() { return m_totals; }
    bool stopped() const { return m_stop.load(); }

private:
    void fail(const std::string& where, const std::string& why) {
        m_totals.failed += 1;
        m_progress.say(where + ": " + why);
    }

    void import_file(const std::string& path) {
        std::string content;
        FileIdentity identity;
        try {
            ImportFileRules rules;
            rules.max_message_bytes = m_limits.max_message_bytes;
            rules.max_mbox_bytes = k_max_file_bytes;
            rules.follow_symlinks = m_follow_symlinks;
            content = read_import_file(path, rules, &identity);
        } catch (const InputError& e) {
            fail(path, e.what());
            return;
        }
        if (!rua::looks_like_mbox(content)) {
            if (import_message(content, path) && m_remove_imported) {
                remove_file(path, identity);
            }
            return;
        }
        if (m_remove_imported) {
            // Its messages cannot be removed one by one, and removing the whole
            // file could lose mail appended while it was read.
            fail(path, "an mbox file is not imported with --remove-imported (it cannot be "
                       "removed message by message; import it without the option)");
            return;
        }
        const auto messages = rua::split_mbox(content);
        content.clear();
        for (std::size_t i = 0; i < messages.size(); ++i) {
            if (m_stop.load()) {
                m_totals.not_attempted += messages.size() - i;
                return;
            }
            import_message(messages[i], path + ":" + std::to_string(i + 1));
        }
    }

    void remove_file(const std::string& path, const FileIdentity& identity) {
        try {
            if (remove_imported_file(path, identity, m_follow_symlinks)) {
                m_totals.removed += 1;
            } else {
                m_progress.say(path + ": not removed: another file took its name meanwhile");
            }
        } catch (const InputError& e) {
            fail(path, std::string("cannot remove: ") + e.what());
        }
    }

    // True when the message's outcome is committed: stored, duplicate or
    // quarantined (so the input may go); false when it failed or must wait.
    bool import_message(const std::string& raw, const std::string& where) {
        if (raw.size() > m_limits.max_message_bytes) {
            fail(where, "message larger than --max-size (" +
                            std::to_string(m_limits.max_message_bytes) + " bytes)");
            return false;
        }
        rua::Arrival arrival;
        arrival.via = "import";
        arrival.file = where;
        if (!m_options.ruas.empty()) {
            arrival.rua = m_options.ruas.front().address;
        }
        rua::ProcessResult result;
        try {
            result = rua::process_message(m_store, raw, m_limits, arrival, m_options);
        } catch (const std::exception& e) {
            fail(where, std::string("internal error: ") + e.what());
            return false;
        }
        switch (result.verdict) {
        case rua::Verdict::stored:
        case rua::Verdict::duplicate:
            (result.verdict == rua::Verdict::stored ? m_totals.stored : m_totals.duplicate) += 1;
            m_totals.reports += result.ingest.reports.size();
            m_totals.records += result.items();
            for (const auto& part : result.bad_parts) {
                // The good reports are stored; the message is kept for the bad part.
                m_progress.say(fmt::format("{}: quarantined (id {}, bad_part): {}", where,
                                           result.quarantine_id, part));
            }
            return true;
        case rua::Verdict::quarantined:
            // Store::quarantine keeps a message once per rua while unresolved:
            // importing the same file again finds the row already there.
            m_totals.quarantined += 1;
            m_progress.say(where + ": quarantined (id " + std::to_string(result.quarantine_id) +
                           ", " + result.reason_code + "): " + result.reason);
            return true;
        case rua::Verdict::rejected: // --no-quarantine
            fail(where, result.reason);
            return false;
        case rua::Verdict::try_later:
            m_stop.store(true);
            fail(where, "try again later: " + result.reason);
            return false;
        }
        return false;
    }

    rua::Store m_store;
    const rua::Limits& m_limits;
    const rua::ProcessOptions& m_options;
    const std::vector<std::filesystem::path>& m_files;
    Progress& m_progress;
    bool m_follow_symlinks;
    bool m_remove_imported;
    Totals m_totals;
    std::atomic<std::size_t> m_next{0};
    std::atomic<bool> m_stop{false};
};

double per_second(std::size_t count, double seconds) {
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

} // namespace

int cmd_import(const std::string& name, const Argv& argv) {
    auto specs = limit_options();
    specs.push_back({"--jobs", true, false});
    specs.push_back({"--rua", true, true});
    specs.push_back({"--no-quarantine", false, false});
    specs.push_back({"--follow-symlinks", false, false});
    specs.push_back({"--remove-imported", false, false});
    Args args(name, argv, specs);
    args.expect_operands(1, SIZE_MAX, "PATH");
    const auto limits = limits_from(args);
    std::size_t jobs = std::max(1U, std::thread::hardware_concurrency());
    if (auto text = args.value("--jobs")) {
        jobs = static_cast<std::size_t>(parse_count("--jobs", *text, 256));
    }

    std::vector<std::filesystem::path> roots(args.operands().begin(), args.operands().end());
    const auto walk = rua::collect_files(roots);
    for (const auto& error : walk.errors) {
        complain("{}", error);
    }
    jobs = std::max<std::size_t>(1, std::min(jobs, walk.files.size()));

    check_database(args);
    rua::ConnectionPool pool(database_url(args), jobs);
    rua::ProcessOptions options;
    options.quarantine_bad = !args.has("--no-quarantine");
    options.privacy = privacy_from(args);
    options.ruas = registered_ruas(args, pool);

    const auto start = std::chrono::steady_clock::now();
    Progress progress(walk.files.size(), isatty(STDERR_FILENO) == 1);
    const bool remove_imported = args.has("--remove-imported");
    Importer importer(pool, limits, options, walk.files, progress, args.has("--follow-symlinks"),
                      remove_imported);
    {
        std::vector<std::thread> workers;
        for (std::size_t i = 0; i < jobs; ++i) {
            workers.emplace_back([&importer] { importer.run_worker(); });
        }
        for (auto& worker : workers) {
            worker.join();
        }
    }
    progress.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    auto& t = importer.totals();
    if (importer.stopped()) {
        complain("import stopped: the database is unavailable; {} inputs not attempted; run the "
                 "same import again later",
                 t.not_attempted.load());
    }
    const auto failed = t.failed.load() + t.not_attempted.load() + walk.errors.size();
    write_stdout(fmt::format(
        "stored {}, duplicate {}, quarantined {}, failed {}; {} reports, {} records in {:.1f} s "
        "({:.1f} reports/s, {:.1f} records/s)\n",
        t.stored.load(), t.duplicate.load(), t.quarantined.load(), failed, t.reports.load(),
        t.records.load(), seconds, per_second(t.reports, seconds), per_second(t.records, seconds)));
    if (remove_imported) {
        const auto removed = t.removed.load();
        write_stdout(
            fmt::format("removed {} imported {}\n", removed, removed == 1 ? "file" : "files"));
    }
    flush_stdout();
    if (importer.stopped()) {
        return k_exit_tempfail;
    }
    return failed == 0 ? k_exit_ok : k_exit_failure;
}

} // namespace ruactl
