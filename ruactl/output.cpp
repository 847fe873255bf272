// Table, CSV and percentage formatting for ruactl's output. Pure string
// work; never writes to a stream except through the callers.
#include "output.hpp"

#include <rua/errors.hpp>
#include <rua/redact.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ruactl {

namespace {

std::size_t display_width(std::string_view text) {
    // UTF-8 continuation bytes take no column of their own.
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

} // namespace

std::string printable_cell(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) {
            out += '?'; // C0 controls and DEL: ESC starts terminal sequences
        } else if (c == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            out += '?'; // a C1 control (U+0080..U+009F), CSI among them
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string render_table(const Row& header, const std::vector<Row>& rows,
                         const std::vector<bool>& right) {
    // Cells may hold sender-chosen text (reporter names): never let a
    // control character reach the terminal.
    std::vector<Row> clean;
    clean.reserve(rows.size());
    for (const auto& row : rows) {
        Row line;
        line.reserve(row.size());
        for (const auto& cell : row) {
            line.push_back(printable_cell(cell));
        }
        clean.push_back(std::move(line));
    }
    std::vector<std::size_t> widths(header.size(), 0);
    const auto measure = [&](const Row& row) {
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    };
    measure(header);
    for (const auto& row : clean) {
        measure(row);
    }
    std::string out;
    const auto emit = [&](const Row& row) {
        std::string line;
        for (std::size_t i = 0; i < widths.size(); ++i) {
            const std::string& cell = i < row.size() ? row[i] : std::string();
            const auto pad = std::string(widths[i] - display_width(cell), ' ');
            if (i > 0) {
                line += "  ";
            }
            const bool align_right = i < right.size() && right[i];
            line += align_right ? pad + cell : cell + pad;
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + "\n";
    };
    emit(header);
    for (const auto& row : clean) {
        emit(row);
    }
    return out;
}

void write_stdout(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
        throw rua::Error(fmt::format("cannot write to standard output: {}",
                                     std::strerror(errno))); // NOLINT(concurrency-mt-unsafe)
    }
}

void flush_stdout() {
    if (std::fflush(stdout) != 0) {
        throw rua::Error(fmt::format("cannot write to standard output: {}",
                                     std::strerror(errno))); // NOLINT(concurrency-mt-unsafe)
    }
}

void write_stderr(std::string_view text) {
    // Every diagnostic may quote --database or a libpq message that echoes
    // it: no password ever reaches the terminal or a log.
    const std::string clean = rua::redact_credentials(text);
    (void)std::fwrite(clean.data(), 1, clean.size(), stderr);
}

std::string csv_field(std::string_view raw) {
    std::string text = printable_cell(raw);
    if (text.find_first_of(",\"") == std::string::npos) {
        return text;
    }
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    return out + "\"";
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0) {
        return "-";
    }
    return fmt::format("{:.1f}", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

} // namespace ruactl
