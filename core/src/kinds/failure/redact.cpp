// Redaction for the failure kind (redact.hpp). Masks the local part of every
// address it can find, keeps domains (the report is about them) and
// Message-IDs (identifiers, and the key of a report re-read from its private
// form); replaces the Subject by its hash. Must never drop a field a parser
// needs to recognise the report again: private_arf parses back.
#include "kinds/failure/redact.hpp"

#include "kinds/failure/date.hpp"
#include "kinds/failure/headers.hpp"
#include "kinds/failure/table.hpp"
#include "text.hpp"

#include <array>

namespace rua::detail::failure {

namespace {

bool local_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || u >= 0x80) {
        return true;
    }
    // atext without '=' (so "smtp.mailfrom=user@x" keeps its key), plus '.'.
    return std::string_view("!#$%&'*+-/?^_`{|}~.").find(c) != std::string_view::npos;
}

bool domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || static_cast<unsigned char>(c) >= 0x80;
}

// The first character of a local part (a whole UTF-8 sequence) and "***".
std::string masked_local(std::string_view local) {
    std::size_t len = 1;
    while (len < local.size() && (static_cast<unsigned char>(local[len]) & 0xC0) == 0x80) {
        ++len;
    }
    return std::string(local.substr(0, len)) + "***";
}

// Header fields whose value is an address list: rewritten as masked
// addresses only (display names are personal data too).
constexpr std::array<const char*, 16> k_address_headers = {"from",
                                                           "to",
                                                           "cc",
                                                           "bcc",
                                                           "reply-to",
                                                           "sender",
                                                           "return-path",
                                                           "delivered-to",
                                                           "x-original-to",
                                                           "resent-from",
                                                           "resent-to",
                                                           "resent-cc",
                                                           "resent-sender",
                                                           "envelope-to",
                                                           "x-envelope-to",
                                                           "disposition-notification-to"};

// Header fields kept as they are: identifiers, not personal data.
constexpr std::array<const char*, 3> k_kept_headers = {"message-id", "in-reply-to", "references"};

template <std::size_t N>
bool listed(const std::string& name, const std::array<const char*, N>& names) {
    for (const char* n : names) {
        if (name == n) {
            return true;
        }
    }
    return false;
}

std::string masked_list(std::string_view value) {
    std::string out;
    for (const auto& address : addresses(value, 1000)) {
        out += out.empty() ? "<" : ", <";
        out += mask_address(address);
        out += '>';
    }
    return out;
}

std::vector<std::string> masked_all(const std::vector<std::string>& items) {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const auto& item : items) {
        out.push_back(mask_address(item));
    }
    return out;
}

OptString masked_opt(const OptString& value, std::string (*mask)(std::string_view)) {
    return value ? OptString(mask(*value)) : std::nullopt;
}

std::vector<ArfField> masked_feedback(const std::vector<ArfField>& fields) {
    std::vector<ArfField> out;
    for (const auto& f : fields) {
        const std::string name = lower(f.name);
        if (name == "original-mail-from" || name == "original-rcpt-to") {
            const auto bare = bare_address(f.value);
            out.push_back({f.name, bare.empty() ? "<>" : "<" + mask_address(bare) + ">"});
        } else {
            out.push_back({f.name, mask_text(f.value)});
        }
    }
    return out;
}

std::vector<ArfField> masked_headers(const FailureOriginal& original) {
    std::vector<ArfField> out;
    for (const auto& f : original.headers) {
        const std::string name = lower(f.name);
        if (name == "subject") {
            out.push_back({f.name, redacted_subject(original)});
        } else if (listed(name, k_address_headers)) {
            out.push_back({f.name, masked_list(f.value)});
        } else if (listed(name, k_kept_headers)) {
            out.push_back(f);
        } else {
            out.push_back({f.name, mask_text(f.value)});
        }
    }
    return out;
}

// The feedback fields of the private form: as received for ARF; for the
// text form, the ARF fields its notice stands for.
std::vector<ArfField> arf_fields(const FailureReport& report) {
    if (report.format == "arf") {
        return report.fields;
    }
    std::vector<ArfField> out = {{"Feedback-Type", report.feedback_type.value_or("auth-failure")},
                                 {"Version", "1"}};
    for (const auto& failure : report.auth_failure) {
        out.push_back({"Auth-Failure", failure});
    }
    if (report.arrival_date) {
        out.push_back({"Arrival-Date", format_date(*report.arrival_date)});
    }
    if (report.source_ip) {
        out.push_back({"Source-IP", report.source_ip->text()});
    }
    if (report.reported_domain) {
        out.push_back({"Reported-Domain", *report.reported_domain});
    }
    return out;
}

} // namespace

std::string mask_address(std::string_view address) {
    address = trim(address);
    if (address.empty()) {
        return "";
    }
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) {
        return masked_local(address);
    }
    if (at == 0) {
        return std::string(address); // "@domain": no local part
    }
    return masked_local(address.substr(0, at)) + std::string(address.substr(at));
}

std::string mask_text(std::string_view text) {
    std::string out;
    std::size_t copied = 0;
    for (std::size_t at = text.find('@'); at != std::string_view::npos;
         at = text.find('@', at + 1)) {
        if (at < copied) {
            continue;
        }
        std::size_t start = at;
        while (start > copied && local_char(text[start - 1])) {
            --start;
        }
        if (start == at || at + 1 >= text.size() || !domain_char(text[at + 1])) {
            continue;
        }
        out.append(text.substr(copied, start - copied));
        out += masked_local(text.substr(start, at - start));
        copied = at;
    }
    out.append(text.substr(copied));
    return out;
}

std::string redacted_subject(const FailureOriginal& original) {
    // A Subject that already is a redacted one (a kept form read back, as
    // `quarantine reprocess` does) stays as it is: redacting twice must give
    // the same bytes, so the quarantine finds its own row again.
    constexpr std::string_view k_prefix = "[redacted: sha256 ";
    if (original.subject && original.subject->rfind(k_prefix, 0) == 0 &&
        original.subject->back() == ']') {
        return *original.subject;
    }
    return "[redacted: sha256 " + original.subject_sha256.substr(0, 16) + " length " +
           std::to_string(original.subject_length.value_or(0)) + "]";
}

FailureReport kept_form(const FailureReport& report, Privacy privacy) {
    FailureReport kept = report;
    if (privacy != Privacy::full) {
        kept.original.body.clear();
    }
    if (privacy != Privacy::redacted) {
        return kept;
    }
    kept.original_mail_from = masked_opt(kept.original_mail_from, mask_address);
    kept.original_rcpt_to = masked_all(kept.original_rcpt_to);
    kept.dkim_identity = masked_opt(kept.dkim_identity, mask_text);
    for (auto& result : kept.authentication_results) {
        result = mask_text(result);
    }
    kept.fields = masked_feedback(report.fields);
    kept.original.headers = masked_headers(report.original);
    kept.original.from = masked_opt(kept.original.from, mask_address);
    kept.original.to = masked_all(kept.original.to);
    kept.original.subject.reset();
    return kept;
}

std::string private_arf(const FailureReport& report, Privacy privacy) {
    const FailureReport kept = kept_form(report, privacy);
    const std::string fields = header_block(arf_fields(kept));
    const std::string headers = header_block(kept.original.headers);
    // A boundary that occurs in neither part.
    std::string boundary = "=_rua_private_form_";
    while (fields.find(boundary) != std::string::npos ||
           headers.find(boundary) != std::string::npos) {
        boundary += "x";
    }
    std::string out;
    out += "MIME-Version: 1.0\r\n";
    out += "Subject: DMARC failure report (kept under privacy ";
    out += to_string(privacy);
    out += ")\r\n";
    out += "Content-Type: multipart/report; report-type=feedback-report;\r\n";
    out += "\tboundary=\"" + boundary + "\"\r\n\r\n";
    out += "--" + boundary + "\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n\r\n";
    out += "A DMARC failure report, kept without the original message's body";
    out += privacy == Privacy::redacted ? " and with addresses masked.\r\n" : ".\r\n";
    out += "--" + boundary + "\r\n";
    out += "Content-Type: message/feedback-report\r\n\r\n";
    out += fields;
    out += "--" + boundary + "\r\n";
    out += "Content-Type: text/rfc822-headers; charset=utf-8\r\n\r\n";
    out += headers;
    out += "--" + boundary + "--\r\n";
    return out;
}

} // namespace rua::detail::failure
