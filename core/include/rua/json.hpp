// JSON helpers shared by every report kind's JSON form (Report::to_json, the
// contract of `ruactl parse`) and the summaries.
#pragma once

#include <string>
#include <string_view>

namespace rua {

// JSON string literal with escapes; invalid UTF-8 is replaced by U+FFFD.
std::string json_quote(std::string_view text);

} // namespace rua
