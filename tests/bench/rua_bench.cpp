// rua_bench: throughput of rua::ingest (and optionally rua::Store) over folders
// of report e-mails such as /tmp/benchcorpus/small. Prints one key=value line
// per corpus and mode; tests/bench/run.sh turns them into ratios. It is a
// measuring tool, not a test: it asserts nothing about speed, and it never
// creates tables (the database it is given must already be migrated).
#include <rua/errors.hpp>
#include <rua/ingest.hpp>
#include <rua/kinds/aggregate.hpp>
#include <rua/store.hpp>

#include <fmt/core.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    std::vector<std::string> dirs;
    std::optional<std::string> store_url;
    std::size_t writers = 1;
    std::size_t passes = 1;
};

// Totals from the generator's MANIFEST.tsv (no header line; columns: file,
// enc, eml_bytes, xml_bytes, payload_bytes, records, sum_count).
struct Manifest {
    bool present = false;
    std::uint64_t xml_bytes = 0;
    std::uint64_t records = 0;
    std::uint64_t sum_count = 0;
};

struct PassTotals {
    std::size_t files = 0;
    std::size_t reports = 0;
    std::size_t empty = 0; // files that yielded no report
    std::uint64_t records = 0;
    std::uint64_t sum_count = 0;
    std::uint64_t email_bytes = 0;
    double seconds = 0;
};

[[noreturn]] void usage() {
    fmt::print(stderr, "usage: rua_bench [--passes N] [--store URL --writers N] DIR...\n");
    std::exit(2);
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--store" && has_value) {
            options.store_url = argv[++i];
        } else if (arg == "--writers" && has_value) {
            options.writers = std::max<std::size_t>(1, std::stoul(argv[++i]));
        } else if (arg == "--passes" && has_value) {
            options.passes = std::max<std::size_t>(1, std::stoul(argv[++i]));
        } else if (!arg.empty() && arg[0] == '-') {
            usage();
        } else {
            options.dirs.push_back(arg);
        }
    }
    if (options.dirs.empty()) {
        usage();
    }
    return options;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    // One read of the known size: a per-character stream iterator cost about
    // 50,000 instructions per small report, which would blur the figures.
    std::string data(static_cast<std::size_t>(fs::file_size(path)), '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    return data;
}

Manifest read_manifest(const fs::path& dir) {
    Manifest manifest;
    std::ifstream in(dir / "MANIFEST.tsv");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string file;
        std::string enc;
        std::uint64_t eml = 0;
        std::uint64_t xml = 0;
        std::uint64_t payload = 0;
        std::uint64_t records = 0;
        std::uint64_t sum = 0;
        if (fields >> file >> enc >> eml >> xml >> payload >> records >> sum) {
            manifest.present = true;
            manifest.xml_bytes += xml;
            manifest.records += records;
            manifest.sum_count += sum;
        }
    }
    return manifest;
}

std::vector<fs::path> list_emails(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".eml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0; // ru_maxrss is in KiB
}

// One pass: read each file (inside the timed loop, as the floor does) and
// ingest it. Keeps the results only when `keep` is given (for the store).
PassTotals ingest_pass(const std::vector<fs::path>& files, const rua::Limits& limits,
                       std::vector<rua::IngestResult>* keep) {
    PassTotals totals;
    const auto start = Clock::now();
    for (const auto& path : files) {
        const std::string raw = read_file(path);
        totals.email_bytes += raw.size();
        rua::IngestResult result;
        try {
            result = rua::ingest(raw, limits, path.filename().string());
        } catch (const rua::LimitExceeded& e) {
            fmt::print(stderr, "{}: {}\n", path.string(), e.what());
        }
        ++totals.files;
        totals.reports += result.reports.size();
        totals.empty += result.reports.empty() ? 1 : 0;
        for (const auto& report : result.reports) {
            // The bench corpora hold aggregate reports (the manifest counts
            // their records and messages).
            if (const auto* aggregate = dynamic_cast<const rua::AggregateReport*>(report.get())) {
                totals.records += aggregate->records.size();
                totals.sum_count += aggregate->message_count();
            }
        }
        if (keep != nullptr) {
            keep->push_back(std::move(result));
        }
    }
    totals.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return totals;
}

// "small" for /tmp/benchcorpus/small and /tmp/benchcorpus/small/ alike.
std::string corpus_name(const fs::path& dir) {
    fs::path path = dir;
    if (path.filename().empty()) {
        path = path.parent_path();
    }
    return path.filename().string();
}

double per_second(double amount, double seconds) {
    return seconds > 0 ? amount / seconds : 0.0;
}

void run_ingest(const fs::path& dir, const Options& options) {
    const auto files = list_emails(dir);
    const Manifest manifest = read_manifest(dir);
    const rua::Limits limits;
    std::vector<PassTotals> passes;
    for (std::size_t i = 0; i < options.passes; ++i) {
        passes.push_back(ingest_pass(files, limits, nullptr));
    }
    std::sort(passes.begin(), passes.end(),
              [](const PassTotals& a, const PassTotals& b) { return a.seconds < b.seconds; });
    const PassTotals& t = passes[passes.size() / 2]; // the median pass
    std::string check = "no-manifest";
    if (manifest.present) {
        check = (manifest.records == t.records && manifest.sum_count == t.sum_count)
                    ? "ok"
                    : fmt::format("MISMATCH(manifest records={} sum={})", manifest.records,
                                  manifest.sum_count);
    }
    const double mb = 1e6;
    fmt::print("ingest corpus={} passes={} files={} reports={} empty={} records={} seconds={:.3f} "
               "reports_per_s={:.1f} records_per_s={:.0f} mb_s_email={:.2f} mb_s_xml={} "
               "peak_rss_mib={:.1f} check={}\n",
               corpus_name(dir), options.passes, t.files, t.reports, t.empty, t.records, t.seconds,
               per_second(static_cast<double>(t.reports), t.seconds),
               per_second(static_cast<double>(t.records), t.seconds),
               per_second(static_cast<double>(t.email_bytes) / mb, t.seconds),
               manifest.present
                   ? fmt::format("{:.2f}", per_second(static_cast<double>(manifest.xml_bytes) / mb,
                                                      t.seconds))
                   : std::string("unknown"),
               peak_rss_mib(), check);
    std::fflush(stdout);
}

void run_store(const fs::path& dir, const Options& options) {
    const auto files = list_emails(dir);
    std::vector<rua::IngestResult> results;
    results.reserve(files.size());
    ingest_pass(files, rua::Limits{}, &results);

    rua::ConnectionPool pool(*options.store_url, options.writers);
    rua::Store store(pool);
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> stored{0};
    std::atomic<std::size_t> duplicates{0};
    std::atomic<std::size_t> failed{0};
    std::atomic<std::uint64_t> records{0};
    std::mutex error_mutex;
    std::string first_error;
    auto writer = [&] {
        for (std::size_t i = next++; i < results.size(); i = next++) {
            rua::Arrival arrival;
            arrival.via = "import";
            arrival.file = files[i].string();
            try {
                const rua::MessageOutcome outcome = store.store(results[i], arrival);
                stored += outcome.stored();
                duplicates += outcome.duplicates();
                records += outcome.items_stored;
            } catch (const std::exception& e) {
                ++failed;
                const std::lock_guard<std::mutex> lock(error_mutex);
                if (first_error.empty()) {
                    first_error = e.what();
                }
            }
        }
    };
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < options.writers; ++i) {
        threads.emplace_back(writer);
    }
    for (auto& thread : threads) {
        thread.join();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    fmt::print("store corpus={} writers={} messages={} stored={} duplicates={} failed={} "
               "records={} seconds={:.3f} stored_reports_per_s={:.1f} stored_records_per_s={:.0f} "
               "peak_rss_mib={:.1f}{}\n",
               corpus_name(dir), options.writers, results.size(), stored.load(), duplicates.load(),
               failed.load(), records.load(), seconds,
               per_second(static_cast<double>(stored.load()), seconds),
               per_second(static_cast<double>(records.load()), seconds), peak_rss_mib(),
               first_error.empty() ? std::string() : " first_error=\"" + first_error + "\"");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    try {
        const Options options = parse_options(argc, argv);
        for (const auto& dir : options.dirs) {
            if (options.store_url) {
                run_store(dir, options);
            } else {
                run_ingest(dir, options);
            }
        }
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "rua_bench: {}\n", e.what());
        return 1;
    }
}
