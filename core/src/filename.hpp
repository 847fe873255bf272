// Making untrusted names (MIME filenames, zip member paths) safe to store,
// log and show: basename only, no separators, no control characters,
// bounded length. Must never be used to decide what a file contains.
#pragma once

#include <rua/model.hpp>

#include <string>
#include <string_view>

namespace rua::detail {

constexpr std::size_t k_max_filename_bytes = 200;

// Basename of `name` (after the last '/' or '\'), control characters
// dropped, ".." removed, capped at k_max_filename_bytes (on a UTF-8
// boundary). nullopt when nothing usable is left. Never throws but bad_alloc.
OptString sanitize_filename(std::string_view name);

// True when a zip member path tries to leave the extraction directory or
// names an absolute location: "../x", "a/../../x", "/etc/x", "C:x", "\x".
bool is_unsafe_path(std::string_view path);

// `text` with control characters and '"' escaped (\xNN), capped at
// `max` bytes plus "...": for quoting untrusted names in one-line messages.
std::string printable(std::string_view text, std::size_t max = 200);

} // namespace rua::detail
