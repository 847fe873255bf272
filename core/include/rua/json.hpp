// JSON helpers shared by every report kind's JSON form (Report::to_json, the
// contract of `ruactl parse`) and the summaries.
#pragma once

#include <string>
#include <string_view>

namespace rua {

// Appends `text` as a JSON string literal with escapes to `out`; invalid
// UTF-8 is replaced by U+FFFD. Builds nothing on the side: the form to use
// when writing a whole object. Never throws but std::bad_alloc.
void json_append_quoted(std::string& out, std::string_view text);

// JSON string literal with escapes; invalid UTF-8 is replaced by U+FFFD.
std::string json_quote(std::string_view text);

} // namespace rua
