// `ruactl import`: stores reports from files, mbox files, Maildirs and
// directory trees through rua::process_message, the milter's own decision
// path, with N workers sharing one connection pool. Stops taking new inputs
// once the database says "try later"; never stores a report twice.
#include "cli.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "limits_options.hpp"
#include "output.hpp"
#include "progress.hpp"

#include <rua/errors.hpp>
#include <rua/mailbox.hpp>
#include <rua/process.hpp>

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
};

class Importer {
public:
    Importer(rua::ConnectionPool& pool, const rua::Limits& limits,
             const rua::ProcessOptions& options, const std::vector<std::filesystem::path>& files,
             Progress& progress)
        : m_store(pool), m_limits(limits), m_options(options), m_files(files),
          m_progress(progress) {}

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
        try {
            content = read_input(path, k_max_file_bytes);
        } catch (const InputError& e) {
            fail(path, e.what());
            return;
        }
        if (content.size() > k_max_file_bytes) {
            fail(path, "file larger than 1 GiB");
            return;
        }
        if (!rua::looks_like_mbox(content)) {
            import_message(content, path);
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

    void import_message(const std::string& raw, const std::string& where) {
        if (raw.size() > m_limits.max_message_bytes) {
            fail(where, "message larger than --max-size (" +
                            std::to_string(m_limits.max_message_bytes) + " bytes)");
            return;
        }
        rua::Arrival arrival;
        arrival.via = "import";
        arrival.file = where;
        if (m_options.rua != nullptr) {
            arrival.rua = m_options.rua->address;
        }
        rua::ProcessResult result;
        try {
            result = rua::process_message(m_store, raw, m_limits, arrival, m_options);
        } catch (const std::exception& e) {
            fail(where, std::string("internal error: ") + e.what());
            return;
        }
        switch (result.verdict) {
        case rua::Verdict::stored:
        case rua::Verdict::duplicate:
            (result.verdict == rua::Verdict::stored ? m_totals.stored : m_totals.duplicate) += 1;
            m_totals.reports += result.ingest.reports.size();
            m_totals.records += result.items();
            return;
        case rua::Verdict::quarantined:
            // Store::quarantine keeps a message once per rua while unresolved:
            // importing the same file again finds the row already there.
            m_totals.quarantined += 1;
            m_progress.say(where + ": quarantined (id " + std::to_string(result.quarantine_id) +
                           ", " + result.reason_code + "): " + result.reason);
            return;
        case rua::Verdict::rejected: // --no-quarantine
            fail(where, result.reason);
            return;
        case rua::Verdict::try_later:
            m_stop.store(true);
            fail(where, "try again later: " + result.reason);
            return;
        }
    }

    rua::Store m_store;
    const rua::Limits& m_limits;
    const rua::ProcessOptions& m_options;
    const std::vector<std::filesystem::path>& m_files;
    Progress& m_progress;
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
    specs.push_back({"--rua", true, false});
    specs.push_back({"--no-quarantine", false, false});
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

    rua::ConnectionPool pool(database_url(args), jobs);
    rua::ProcessOptions options;
    options.quarantine_bad = !args.has("--no-quarantine");
    options.privacy = privacy_from(args);
    rua::Registry registry;
    if (auto address = args.value("--rua")) {
        rua::Store store(pool);
        registry = store.load_registry();
        options.rua = registry.find(*address);
        if (options.rua == nullptr) {
            throw rua::Error(fmt::format("rua address {} is not registered",
                                         rua::Registry::normalize_address(*address)));
        }
    }

    const auto start = std::chrono::steady_clock::now();
    Progress progress(walk.files.size(), isatty(STDERR_FILENO) == 1);
    Importer importer(pool, limits, options, walk.files, progress);
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
    flush_stdout();
    return failed == 0 ? k_exit_ok : k_exit_failure;
}

} // namespace ruactl
