// Deciding what a blob of bytes is from its first bytes (magic numbers),
// never from a declared content type or filename, which senders get wrong.
// Must never read more than the bytes it is given.
#pragma once

#include <cstddef>
#include <string_view>

namespace rua::detail {

enum class Format {
    empty, // no bytes at all
    gzip,  // 1f 8b
    zip,   // 50 4b 03 04 (also 50 4b 05 06: an empty archive)
    zlib,  // 78 with a valid FCHECK and no preset dictionary
    xml,   // optional UTF-8 BOM, optional white space, '<'
    html,  // like xml, but the first tag is an HTML one (<html>, <div>, ...)
    json,  // optional UTF-8 BOM, optional white space, '{' or '['
    text,  // printable text (a human-readable part)
    other, // anything else: images, PDFs, binary junk
};

// How many leading bytes sniff() wants to see.
constexpr std::size_t k_sniff_bytes = 512;

// Looks at up to k_sniff_bytes of `head`.
Format sniff(std::string_view head);

// True for the formats that are decompressed rather than parsed.
bool is_compressed(Format format);

// "gzip", "zip", "zlib", "xml", "html", "json", "text", "empty", "other".
const char* format_name(Format format);

// A short human description of a blob that is not a report, for
// diagnostics: "PNG image", "PDF document", "JSON (not an aggregate
// report)", "human-readable text", "unrecognised binary data".
const char* describe_non_report(Format format, std::string_view head);

} // namespace rua::detail
