// Small text helpers shared by the core: ASCII case folding, trimming,
// unfolding header values, UTF-8 validity and repair, hex. Pure functions on
// bytes; they never interpret a charset beyond UTF-8 validity.
#pragma once

#include <string>
#include <string_view>

namespace rua::detail {

char lower_ascii(char c);
std::string lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view text, std::string_view prefix);
// Case-insensitive search; npos when absent.
std::size_t ifind(std::string_view text, std::string_view needle);
bool is_space(char c); // space, tab, CR, LF
std::string_view trim(std::string_view text);

// Line breaks removed, every run of white space made one space, trimmed:
// the same value whatever the folding or line endings.
std::string unfold(std::string_view value);

// Length (1-4) of the valid UTF-8 sequence at the start of `s`, or 0 when
// it is not valid; then `invalid` (when given) says how many bytes form the
// maximal invalid subpart, which becomes one U+FFFD (at least 1).
std::size_t utf8_sequence(std::string_view s, std::size_t* invalid = nullptr);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD; sets
// `changed` when it replaced something.
std::string valid_utf8(std::string_view text, bool* changed = nullptr);

// Lower-case hex of `bytes`.
std::string hex(std::string_view bytes);

// A short, quoted excerpt of sender text for a warning line (at most 64
// bytes, never cutting a UTF-8 sequence).
std::string excerpt(std::string_view text);

} // namespace rua::detail
