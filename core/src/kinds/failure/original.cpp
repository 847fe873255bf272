// The original message inside a failure report: its header fields (read
// leniently: a stray line is skipped, not fatal), the addresses, Subject,
// Message-ID and Date it states, and its body cut at
// Limits::max_original_body_bytes. Must never keep more of the body than
// that bound, whatever the privacy setting later decides.
#include "kinds/failure/date.hpp"
#include "kinds/failure/headers.hpp"
#include "kinds/failure/parse.hpp"
#include "kinds/failure/rfc2047.hpp"
#include "sha256.hpp"
#include "text.hpp"

namespace rua::detail::failure {

OriginalText split_message(std::string_view message) {
    std::size_t pos = 0;
    while (pos < message.size()) {
        const auto eol = message.find('\n', pos);
        const auto line =
            message.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        if (trim(line).empty()) {
            const auto body = eol == std::string_view::npos ? message.size() : eol + 1;
            return {message.substr(0, pos), message.substr(body)};
        }
        if (eol == std::string_view::npos) {
            break;
        }
        pos = eol + 1;
    }
    return {message, std::string_view()};
}

void read_original(FailureReport& report, const OriginalText& text, const Limits& limits) {
    auto& original = report.original;
    original.headers = read_fields(text.header, limits, "original message", false);
    const std::size_t max_items = max_header_fields(limits);
    if (const auto* from = find_field(original.headers, "From")) {
        auto list = addresses(from->value, 1);
        if (!list.empty()) {
            original.from = std::move(list.front());
        }
    }
    for (const auto& field : original.headers) {
        if (iequals(field.name, "To")) {
            for (auto& address : addresses(field.value, max_items)) {
                if (original.to.size() < max_items) {
                    original.to.push_back(std::move(address));
                }
            }
        }
    }
    if (const auto* subject = find_field(original.headers, "Subject")) {
        original.subject = decode_rfc2047(subject->value);
        original.subject_sha256 = sha256_hex(*original.subject);
        original.subject_length = static_cast<std::int64_t>(original.subject->size());
    }
    if (const auto* id = find_field(original.headers, "Message-ID")) {
        auto bare = bare_message_id(id->value);
        if (!bare.empty()) {
            original.message_id = std::move(bare);
        }
    }
    if (const auto* date = find_field(original.headers, "Date")) {
        original.date = parse_date(date->value);
        if (!original.date) {
            report.warnings.push_back("the original's Date is not a readable date: " +
                                      excerpt(date->value));
        }
    }
    original.headers_only = !text.body.has_value();
    if (text.body) {
        original.body_bytes = text.body->size();
        original.body = std::string(text.body->substr(0, limits.max_original_body_bytes));
    }
}

} // namespace rua::detail::failure
