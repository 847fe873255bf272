// `ruactl parse`: the reports found in files, as JSON lines on standard
// output. Never touches the database; one stderr line per input that yields
// nothing and per part that failed beside a report, so a script can tell
// which file (and which part) failed.
#include "cli.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "limits_options.hpp"
#include "output.hpp"

#include <rua/errors.hpp>
#include <rua/ingest.hpp>

namespace ruactl {

int cmd_parse(const std::string& name, const Argv& argv) {
    Args args(name, argv, limit_options());
    args.expect_operands(1, SIZE_MAX, "FILE (or - for standard input)");
    const rua::Limits limits = limits_from(args);
    int status = k_exit_ok;
    for (const auto& path : args.operands()) {
        const std::string label = path == "-" ? "(stdin)" : path;
        std::string raw;
        try {
            raw = read_input(path, limits.max_message_bytes);
        } catch (const InputError& e) {
            complain("{}: {}", label, e.what());
            status = k_exit_failure;
            continue;
        }
        if (raw.size() > limits.max_message_bytes) {
            complain("{}: input larger than {} bytes (--max-size)", label,
                     limits.max_message_bytes);
            status = k_exit_failure;
            continue;
        }
        rua::IngestResult result;
        try {
            result = rua::ingest(raw, limits, path);
        } catch (const rua::BadInput& e) {
            complain("{}: {}", label, e.what());
            status = k_exit_failure;
            continue;
        }
        if (result.reports.empty()) {
            const auto why = result.first_error();
            complain("{}: {}", label, why.empty() ? "no report found" : why);
            status = k_exit_failure;
            continue;
        }
        for (const auto& report : result.reports) {
            write_stdout(report->to_json() + "\n");
        }
        // A part that failed beside the reports printed: named, never silent.
        for (const auto& diagnostic : result.diagnostics) {
            if (diagnostic.level == rua::Diagnostic::Level::error) {
                complain("{}: {}", label, diagnostic.text());
                status = k_exit_failure;
            }
        }
    }
    flush_stdout();
    return status;
}

} // namespace ruactl
