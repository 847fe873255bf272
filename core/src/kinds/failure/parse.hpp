// Building a FailureReport from the pieces the finder (finder.cpp) located:
// the message/feedback-report fields and the original (ARF), or a plain-text
// notice with the original's headers (the text form). Throws BadInput with a
// precise one-line reason, or LimitExceeded; never reads MIME structure.
#pragma once

#include <rua/kinds/failure.hpp>
#include <rua/limits.hpp>

#include <memory>
#include <optional>
#include <string_view>

namespace rua::detail::failure {

// The original message as carried: its header block and, unless only the
// headers came (text/rfc822-headers), its body.
struct OriginalText {
    std::string_view header;
    std::optional<std::string_view> body;
};

// ARF: `feedback` is the transfer-decoded message/feedback-report body;
// `original` is null when the report carries no original.
std::unique_ptr<FailureReport> parse_arf(std::string_view feedback, const OriginalText* original,
                                         const Limits& limits);

// Text form: the notice's "Name: value" lines (`notice`, before the
// original's header block) and the original's headers.
std::unique_ptr<FailureReport> parse_text_form(std::string_view notice,
                                               const OriginalText& original, const Limits& limits);

// Where the original's header block starts inside a notice (a run of at
// least three header fields including From), or npos.
std::size_t find_inline_headers(std::string_view notice);

// Fills report.original from `original` (addresses, Subject decoded and
// hashed, Message-ID, Date, the header fields, the bounded body).
void read_original(FailureReport& report, const OriginalText& original, const Limits& limits);

// Splits a message into its header block and body at the first empty line.
OriginalText split_message(std::string_view message);

} // namespace rua::detail::failure
