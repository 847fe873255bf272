// Lenient date reading for failure reports: RFC 5322 dates as senders write
// them (obsolete zones like EST or PDT, "-0000 (EST)", wrong weekdays, no
// seconds, two-digit years, fractional seconds) and ISO 8601. Never guesses
// a date from text that does not hold one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rua::detail::failure {

// UTC seconds, or nullopt when `text` is not a readable date.
std::optional<std::int64_t> parse_date(std::string_view text);

// An RFC 5322 date in UTC: "Tue, 19 Jul 2022 05:57:48 +0000".
std::string format_date(std::int64_t seconds);

} // namespace rua::detail::failure
