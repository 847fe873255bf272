// How ruactl writes: aligned tables for a terminal, CSV fields, and the
// one-line diagnostics on standard error ("ruactl: ..."). Formatting only;
// never decides an exit status.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace ruactl {

using Row = std::vector<std::string>;

// `text` with every control character (C0, DEL, C1) made '?': sender-chosen
// text never drives the terminal.
std::string printable_cell(std::string_view text);

// Columns padded to their widest cell (counted in UTF-8 characters), two
// spaces apart; columns whose `right` flag is set are right-aligned. Cells
// go through printable_cell.
std::string render_table(const Row& header, const std::vector<Row>& rows,
                         const std::vector<bool>& right);

// A CSV field, through printable_cell (so no line break either), quoted
// when it holds a comma or a quote.
std::string csv_field(std::string_view text);

// Writes to standard output; throws rua::Error when the write fails (disk
// full, closed pipe), so that the command exits 1 instead of lying.
void write_stdout(std::string_view text);
void flush_stdout();

// Writes to standard error with credentials redacted (rua/redact.hpp); a
// failure there has nowhere to be reported.
void write_stderr(std::string_view text);

// One diagnostic line on standard error, prefixed with "ruactl: ", with
// credentials redacted (write_stderr redacts whatever it writes).
template <typename... T> void complain(fmt::format_string<T...> format, T&&... args) {
    write_stderr("ruactl: " + fmt::format(format, std::forward<T>(args)...) + "\n");
}

// "12.5" for a percentage of `part` in `whole` ("-" when whole is 0).
std::string percent(std::uint64_t part, std::uint64_t whole);

} // namespace ruactl
