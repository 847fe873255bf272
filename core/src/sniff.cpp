// Magic-number sniffing of decoded and decompressed bytes. Pure and cheap:
// must never allocate, throw or look past the prefix it is handed.
#include "sniff.hpp"

#include <cctype>

namespace rua::detail {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// Skips a UTF-8 byte order mark and white space.
std::string_view skip_preamble(std::string_view head) {
    if (starts_with(head, "\xef\xbb\xbf")) {
        head.remove_prefix(3);
    }
    while (!head.empty() && (head.front() == ' ' || head.front() == '\t' || head.front() == '\r' ||
                             head.front() == '\n')) {
        head.remove_prefix(1);
    }
    return head;
}

bool is_zlib_header(std::string_view head) {
    if (head.size() < 2) {
        return false;
    }
    const auto b0 = static_cast<unsigned char>(head[0]);
    const auto b1 = static_cast<unsigned char>(head[1]);
    // CM 8 (deflate), window up to 32K, FCHECK valid, no preset dictionary.
    return b0 == 0x78 && (b0 * 256 + b1) % 31 == 0 && (b1 & 0x20) == 0;
}

// The human-readable part of a report mail is often HTML (Microsoft,
// Outlook): it starts with '<' but is no report, and must not be sent to
// the XML stage as if it were one.
bool is_html_tag(std::string_view body) {
    static constexpr std::string_view k_tags[] = {
        "!doctype html", "html", "head",   "body", "div", "p",   "span", "table", "meta", "br",
        "style",         "font", "center", "b",    "a",   "pre", "h1",   "h2",    "h3"};
    body.remove_prefix(1); // '<'
    for (const auto tag : k_tags) {
        if (body.size() <= tag.size()) {
            continue;
        }
        bool same = true;
        for (std::size_t i = 0; i < tag.size() && same; ++i) {
            same = std::tolower(static_cast<unsigned char>(body[i])) == tag[i];
        }
        const char after = body[tag.size()];
        if (same && (after == '>' || after == ' ' || after == '\t' || after == '\r' ||
                     after == '\n' || after == '/')) {
            return true;
        }
    }
    return false;
}

// Text when every byte is printable ASCII, white space or part of a UTF-8
// sequence: a human-readable part, not a report.
bool is_text(std::string_view head) {
    for (char c : head) {
        const auto byte = static_cast<unsigned char>(c);
        const bool printable = byte >= 0x20 && byte != 0x7f;
        const bool space = c == '\t' || c == '\r' || c == '\n' || c == '\f';
        if (!printable && !space) {
            return false;
        }
    }
    return true;
}

} // namespace

Format sniff(std::string_view head) {
    head = head.substr(0, k_sniff_bytes);
    if (head.empty()) {
        return Format::empty;
    }
    if (starts_with(head, "\x1f\x8b")) {
        return Format::gzip;
    }
    if (starts_with(head, "PK\x03\x04") || starts_with(head, "PK\x05\x06")) {
        return Format::zip;
    }
    if (is_zlib_header(head)) {
        return Format::zlib;
    }
    const auto body = skip_preamble(head);
    if (!body.empty() && body.front() == '<') {
        return is_html_tag(body) ? Format::html : Format::xml;
    }
    if (!body.empty() && (body.front() == '{' || body.front() == '[')) {
        return Format::json;
    }
    if (is_text(head)) {
        return Format::text;
    }
    return Format::other;
}

bool is_compressed(Format format) {
    return format == Format::gzip || format == Format::zip || format == Format::zlib;
}

const char* format_name(Format format) {
    switch (format) {
    case Format::empty:
        return "empty";
    case Format::gzip:
        return "gzip";
    case Format::zip:
        return "zip";
    case Format::zlib:
        return "zlib";
    case Format::xml:
        return "xml";
    case Format::html:
        return "html";
    case Format::json:
        return "json";
    case Format::text:
        return "text";
    case Format::other:
        break;
    }
    return "other";
}

const char* describe_non_report(Format format, std::string_view head) {
    switch (format) {
    case Format::empty:
        return "empty";
    case Format::json:
        return "JSON (not an aggregate report)";
    case Format::text:
        return "human-readable text";
    case Format::html:
        return "HTML";
    case Format::gzip:
    case Format::zip:
    case Format::zlib:
    case Format::xml:
        return format_name(format);
    case Format::other:
        break;
    }
    if (starts_with(head, "\x89PNG")) {
        return "PNG image";
    }
    if (starts_with(head, "GIF8")) {
        return "GIF image";
    }
    if (starts_with(head, "\xff\xd8\xff")) {
        return "JPEG image";
    }
    if (starts_with(head, "%PDF")) {
        return "PDF document";
    }
    if (starts_with(head, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) {
        return "OLE document (Outlook .msg or Office)";
    }
    return "unrecognised binary data";
}

} // namespace rua::detail
