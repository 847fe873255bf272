// Reading header blocks for the failure kind: the message/feedback-report
// fields, the original's header fields and the containers' Content-Type.
// Folded lines, CRLF or LF, names matched case-insensitively. Every block is
// bounded while it is read (field size, field count); a bound is a
// LimitExceeded, never a silent cut.
#pragma once

#include <rua/kinds/failure.hpp>
#include <rua/limits.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rua::detail::failure {

// How many fields one header block may hold: ten per MIME part allowed.
std::size_t max_header_fields(const Limits& limits);

// Reads `block` into fields (values unfolded, see text.hpp). `what` names
// the block in errors ("message/feedback-report part", "original message").
// Blank lines are skipped (the block has no body). `strict`: a line that is
// neither a field nor a continuation is bad input; else it is skipped.
// Throws BadInput("<what>: line N is not a header field") and
// LimitExceeded("<what>: header field <Name> exceeds N bytes" or
// "<what> has more than N header fields").
std::vector<ArfField> read_fields(std::string_view block, const Limits& limits,
                                  std::string_view what, bool strict);

// True when `line` opens a header field ("Name:" at its start, the name
// without white space).
bool opens_field(std::string_view line);

// The first field named `name` (any case), or nullptr.
const ArfField* find_field(const std::vector<ArfField>& fields, std::string_view name);

// One parameter of a Content-Type value ("boundary", "report-type"), its
// quotes removed; "" when absent.
std::string content_type_param(std::string_view value, std::string_view name);

// The addr-specs of an address list ("A <a@x>, b@y (c)"), without display
// names, comments or angle brackets, in order; groups are flattened.
std::vector<std::string> addresses(std::string_view value, std::size_t max_items);

// A single address as in Original-Mail-From: angle brackets and a trailing
// comment removed; "" for the null path "<>".
std::string bare_address(std::string_view value);

// A Message-ID without its angle brackets (the first one when several).
std::string bare_message_id(std::string_view value);

// The domain of an address ("" when there is none), lower-cased.
std::string address_domain(std::string_view address);

} // namespace rua::detail::failure
