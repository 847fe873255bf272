// `ruactl parse`: the reports found in files, as JSON lines on standard
// output, in input order, parsed by --jobs worker threads. Never touches
// the database and never holds a large report's JSON whole (it streams into
// a SpillBuffer); one stderr line per input that yields nothing and per part
// that failed beside a report, so a script can tell which file failed.
#include "cli.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "limits_options.hpp"
#include "output.hpp"

#include <rua/errors.hpp>
#include <rua/ingest.hpp>
#include <rua/spill.hpp>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ruactl {

namespace {

constexpr std::uint64_t k_max_jobs = 64;
constexpr long k_default_jobs_cap = 8;
constexpr std::size_t k_stdout_buffer = std::size_t{256} << 10;
constexpr int k_keep_freed = 16 << 20; // bytes
constexpr int k_heap_block = 4 << 20;  // bytes

// What one input gave, kept until every input before it is written.
struct FileOutput {
    std::vector<rua::SpillBuffer> json; // JSON lines, in order
    std::string errors;                 // complete stderr lines, "ruactl: ..."
    bool failed = false;
    std::exception_ptr fatal; // not about this input (disk full, our bug): ends the command
};

template <typename... T> void note(FileOutput& out, fmt::format_string<T...> format, T&&... args) {
    out.errors += "ruactl: ";
    fmt::format_to(std::back_inserter(out.errors), format, std::forward<T>(args)...);
    out.errors += '\n';
    out.failed = true;
}

// Receives the reports too large to hold (rua/ingest.hpp): each one's JSON
// line is written batch by batch into a SpillBuffer of its own, so that a
// failed report is dropped whole and the lines keep the order of
// IngestResult::reports.
class JsonSink final : public rua::ReportSink {
public:
    void begin(rua::Report& report, const rua::Attachment& /*attachment*/,
               std::string_view /*bytes*/) override {
        m_reports.emplace_back();
        m_first = true;
        m_scratch.clear();
        report.json_begin(m_scratch);
        batch(report);
    }
    void items(rua::Report& report) override {
        m_scratch.clear();
        batch(report);
    }
    void end(rua::Report& report) override {
        m_scratch.clear();
        batch(report);
        report.json_end(m_scratch);
        m_scratch += '\n';
        m_reports.back().append(m_scratch);
    }
    void abandon() noexcept override { m_reports.pop_back(); }

    std::vector<rua::SpillBuffer>& reports() { return m_reports; }

private:
    // The held batch; `first` until a batch wrote something (a batch may be
    // empty), so that no comma ever leads the list.
    void batch(rua::Report& report) {
        const std::size_t before = m_scratch.size();
        report.json_items(m_scratch, m_first);
        m_first = m_first && m_scratch.size() == before;
        m_reports.back().append(m_scratch);
        m_scratch.clear();
    }

    std::vector<rua::SpillBuffer> m_reports;
    std::string m_scratch;
    bool m_first = true;
};

// Everything `ruactl parse` says about one input; throws nothing (what is
// not about the input ends up in `fatal`).
FileOutput parse_file(const std::string& path, const rua::Limits& limits) {
    FileOutput out;
    try {
        const std::string label = path == "-" ? "(stdin)" : path;
        std::string raw;
        try {
            raw = read_input(path, limits.max_message_bytes);
        } catch (const InputError& e) {
            note(out, "{}: {}", label, e.what());
            return out;
        }
        if (raw.size() > limits.max_message_bytes) {
            note(out, "{}: input larger than {} bytes (--max-size)", label,
                 limits.max_message_bytes);
            return out;
        }
        JsonSink sink;
        rua::IngestResult result;
        try {
            result = rua::ingest(raw, limits, path, &sink);
        } catch (const rua::BadInput& e) {
            note(out, "{}: {}", label, e.what());
            return out;
        }
        raw = std::string(); // the input is no longer needed while lines wait
        if (result.reports.empty()) {
            const auto why = result.first_error();
            note(out, "{}: {}", label, why.empty() ? "no report found" : why);
            return out;
        }
        // Held reports' lines between the streamed ones, in report order.
        auto streamed = sink.reports().begin();
        rua::SpillBuffer held;
        for (const auto& report : result.reports) {
            if (!report->streamed) {
                std::string line = report->to_json();
                line += '\n';
                held.append(line);
                continue;
            }
            if (streamed == sink.reports().end()) {
                throw std::logic_error("parse: a streamed report the sink never saw");
            }
            if (!held.empty()) {
                out.json.push_back(std::move(held));
                held = rua::SpillBuffer();
            }
            out.json.push_back(std::move(*streamed++));
        }
        if (!held.empty()) {
            out.json.push_back(std::move(held));
        }
        // A part that failed beside the reports printed: named, never silent.
        for (const auto& diagnostic : result.diagnostics) {
            if (diagnostic.level == rua::Diagnostic::Level::error) {
                note(out, "{}: {}", label, diagnostic.text());
            }
        }
    } catch (...) {
        out.fatal = std::current_exception();
    }
    return out;
}

// Writes one input's lines; rethrows what ended its parse. Returns whether
// the input failed.
bool write_file(FileOutput& out) {
    if (out.fatal) {
        std::rethrow_exception(out.fatal);
    }
    for (const auto& buffer : out.json) {
        buffer.for_each_chunk([](std::string_view piece) { write_stdout(piece); });
    }
    if (!out.errors.empty()) {
        flush_stdout(); // a terminal shows an input's lines before its errors
        write_stderr(out.errors);
    }
    return out.failed;
}

// Inputs handed to `jobs` workers in order (the calling thread is one of
// them). Whoever finishes the input that is next in line writes it, and
// every finished one after it; the others go on parsing. A worker takes an
// input only within `window` of the next one to write, so finished outputs
// waiting for a slow one stay few. No thread waits for another per input:
// a wake-up is a system call, expensive in a VM.
class ParallelParse {
public:
    ParallelParse(const std::vector<std::string>& paths, const rua::Limits& limits,
                  std::size_t jobs)
        : m_paths(paths), m_limits(limits), m_jobs(jobs), m_window(2 * jobs), m_done(paths.size()) {
    }

    // Parses and writes everything; true when an input failed. Rethrows
    // what stopped the run (a write error, a full disk) once every worker
    // has stopped; nothing after the input it came from is written.
    bool run() {
        std::vector<std::thread> helpers;
        helpers.reserve(m_jobs - 1);
        try {
            for (std::size_t i = 1; i < m_jobs; ++i) {
                helpers.emplace_back([this] { work(); });
            }
        } catch (...) {
            stop(std::current_exception()); // no thread: stop those started
        }
        work();
        for (auto& helper : helpers) {
            helper.join();
        }
        if (m_error) {
            std::rethrow_exception(m_error);
        }
        return m_failed;
    }

private:
    void stop(std::exception_ptr error) {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_error) {
                m_error = std::move(error);
            }
            m_stop = true;
        }
        m_can_take.notify_all();
    }

    void work() {
        for (;;) {
            std::size_t index = 0;
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                if (!(m_stop || m_next >= m_paths.size() || m_next < m_written + m_window)) {
                    ++m_idle;
                    m_can_take.wait(lock, [&] {
                        return m_stop || m_next >= m_paths.size() || m_next < m_written + m_window;
                    });
                    --m_idle;
                }
                if (m_stop || m_next >= m_paths.size()) {
                    return;
                }
                index = m_next++;
            }
            FileOutput out = parse_file(m_paths[index], m_limits);
            std::unique_lock<std::mutex> lock(m_mutex);
            m_done[index] = std::move(out);
            if (m_writing) {
                continue; // the writer takes it when its turn comes
            }
            m_writing = true;
            bool moved = false;
            while (!m_stop && m_written < m_done.size() && m_done[m_written].has_value()) {
                FileOutput next = std::move(*m_done[m_written]);
                m_done[m_written].reset();
                ++m_written;
                moved = true;
                lock.unlock();
                try {
                    const bool failed = write_file(next);
                    lock.lock();
                    m_failed = m_failed || failed;
                } catch (...) {
                    lock.lock();
                    m_error = std::current_exception();
                    m_stop = true;
                    moved = true;
                }
            }
            m_writing = false;
            const bool wake = moved && (m_idle > 0 || m_stop);
            lock.unlock();
            if (wake) {
                m_can_take.notify_all();
            }
        }
    }

    const std::vector<std::string>& m_paths;
    const rua::Limits& m_limits;
    const std::size_t m_jobs;
    const std::size_t m_window;
    std::mutex m_mutex;
    std::condition_variable m_can_take;            // the window moved, or the run stopped
    std::vector<std::optional<FileOutput>> m_done; // parsed, not yet written
    std::size_t m_next = 0;                        // the next input a worker takes
    std::size_t m_written = 0;                     // inputs written (or being written)
    std::size_t m_idle = 0;                        // workers waiting for the window to move
    bool m_writing = false;                        // a worker is writing: it writes in order
    bool m_failed = false;
    bool m_stop = false;
    std::exception_ptr m_error;
};

std::size_t default_jobs() {
    const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    return static_cast<std::size_t>(std::clamp(cpus, 1L, k_default_jobs_cap));
}

} // namespace

int cmd_parse(const std::string& name, const Argv& argv) {
    auto options = limit_options();
    options.push_back({"--jobs", true});
    Args args(name, argv, options);
    args.expect_operands(1, SIZE_MAX, "FILE (or - for standard input)");
    const rua::Limits limits = limits_from(args);
    const auto& paths = args.operands();
    std::size_t jobs = default_jobs();
    if (const auto value = args.value("--jobs")) {
        jobs = static_cast<std::size_t>(parse_count("--jobs", *value, k_max_jobs));
    }
    // Standard input named twice is read in turn: the first takes it all.
    if (std::count(paths.begin(), paths.end(), "-") > 1) {
        jobs = 1;
    }
    jobs = std::min(jobs, paths.size());
    // Into a file or a pipe, lines go out in large writes (a system call per
    // 4 KiB was a tenth of a small report's cost); a terminal keeps its line
    // buffering. Nothing has been written to stdout yet. glibc ignores the
    // size without a buffer, and exit() still flushes: a static one.
    if (::isatty(STDOUT_FILENO) == 0) {
        static std::array<char, k_stdout_buffer> buffer;
        (void)std::setvbuf(stdout, buffer.data(), _IOFBF, buffer.size());
    }
    // Every input allocates its buffers and frees them again. glibc would
    // give the freed top of the heap back and serve blocks past 128 KiB
    // with fresh mappings, so each file faulted its pages in again (in a VM
    // a third of the medium corpus's CPU time): keep up to 16 MiB of freed
    // memory and take blocks up to 4 MiB from the heap. Peak use is the same.
    // Set before any worker thread exists.
    (void)::mallopt(M_TRIM_THRESHOLD, k_keep_freed); // NOLINT(concurrency-mt-unsafe)
    (void)::mallopt(M_MMAP_THRESHOLD, k_heap_block); // NOLINT(concurrency-mt-unsafe)
    int status = k_exit_ok;
    if (jobs <= 1) {
        for (const auto& path : paths) {
            FileOutput out = parse_file(path, limits);
            status = write_file(out) ? k_exit_failure : status;
        }
    } else {
        ParallelParse parallel(paths, limits, jobs);
        status = parallel.run() ? k_exit_failure : status;
    }
    flush_stdout();
    return status;
}

} // namespace ruactl
