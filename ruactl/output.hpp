// How ruactl writes: aligned tables for a terminal, CSV fields, and the
// one-line diagnostics on standard error ("ruactl: ..."). Formatting only;
// never decides an exit status.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace ruactl {

using Row = std::vector<std::string>;

// Columns padded to their widest cell (counted in UTF-8 characters), two
// spaces apart; columns whose `right` flag is set are right-aligned.
std::string render_table(const Row& header, const std::vector<Row>& rows,
                         const std::vector<bool>& right);

// A CSV field: quoted when it holds a comma, quote or line break.
std::string csv_field(std::string_view text);

// One diagnostic line on standard error, prefixed with "ruactl: ".
template <typename... T> void complain(fmt::format_string<T...> format, T&&... args) {
    const auto line = "ruactl: " + fmt::format(format, std::forward<T>(args)...) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

// "12.5" for a percentage of `part` in `whole` ("-" when whole is 0).
std::string percent(std::uint64_t part, std::uint64_t whole);

} // namespace ruactl
