// Turning the text of a report's XML elements into model values: trimming,
// UTF-16 to UTF-8, counts, timestamps, and enumerations (lower-cased, unknown
// values kept and flagged). Pure functions, no Xerces types, never throws
// except std::bad_alloc: the caller decides what a bad value means.
#pragma once

#include "text.hpp" // trim(): XML white space is space, tab, CR, LF

#include <rua/kinds/aggregate.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rua::detail {

// Trimmed text, or nullopt when nothing is left.
OptString opt_text(std::string_view text);

// Appends UTF-16 text as UTF-8; an unpaired surrogate becomes U+FFFD.
void append_utf8(std::string& out, const char16_t* text, std::size_t length);

// Sender text for an error or warning: in double quotes, cut after 64
// bytes ("...") because messages are for logs, not for the data.
std::string quoted(std::string_view text);

// ASCII letters lower-cased; other bytes (UTF-8 included) unchanged.
std::string to_lower_ascii(std::string_view text);

// A non-negative decimal integer, surrounding white space allowed; nullopt
// for anything else (signs, fractions, overflow).
std::optional<std::uint64_t> parse_count(std::string_view text);

// Seconds since the epoch: decimal digits, optionally followed by a
// fraction ("1337270400.0", seen from NetEase) which is dropped;
// `had_fraction` says whether a non-zero one was dropped.
std::optional<std::int64_t> parse_timestamp(std::string_view text, bool& had_fraction);

// Collects Report::warnings: each distinct text once, at most k_max_warnings.
class Warnings {
public:
    static constexpr std::size_t k_max_warnings = 100;
    explicit Warnings(std::vector<std::string>& out) : m_out(out) {}
    void add(std::string text);

private:
    std::vector<std::string>& m_out;
    std::set<std::string> m_seen;
    bool m_truncated = false;
};

enum class EnumField {
    disposition,      // policy_evaluated/disposition
    aligned_result,   // policy_evaluated/dkim, policy_evaluated/spf
    dkim_result,      // auth_results/dkim/result
    spf_result,       // auth_results/spf/result
    spf_scope,        // auth_results/spf/scope
    reason_type,      // policy_evaluated/reason/type
    alignment,        // policy_published adkim, aspf
    policy,           // policy_published p, sp, np
    testing,          // policy_published/testing
    discovery_method, // policy_published/discovery_method
};

// Lower-cases `value` (already trimmed, not empty). A value outside the
// field's enumeration is kept as it is (lower-cased) and flagged in
// `warnings`; the one alias we map is SPF "hardfail" to "fail" (RFC 7208
// calls "fail" a hard fail; several senders spell it out), also flagged.
std::string normalise_enum(std::string_view value, EnumField field, std::string_view what,
                           Warnings& warnings);

} // namespace rua::detail
