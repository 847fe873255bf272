// JSON rendering of a report: the contract of `ruactl parse` (one object per
// line, keys fixed, absent values null, enumerations lower-cased).
#pragma once

#include <rua/model.hpp>

#include <string>
#include <string_view>

namespace rua {

std::string to_json(const Report& report);

// JSON string literal with escapes; invalid UTF-8 is replaced by U+FFFD.
std::string json_quote(std::string_view text);

} // namespace rua
