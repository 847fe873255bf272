// Test inputs built at test time: report XML, gzip/zlib (zlib), zip
// (libarchive), base64 and MIME messages, including hostile ones (bombs,
// traversal names). Never reads or copies third-party samples.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fixtures {

// A small RFC 7489 aggregate report with `records` records.
std::string report_xml(std::string_view org, std::string_view report_id, int records = 1);

std::string gzip(std::string_view data);
// A (multi-member) gzip stream of `size` zero bytes, built without holding them.
std::string gzip_zeros(std::size_t size);
std::string zlib(std::string_view data);

struct ZipMember {
    std::string path;
    std::string data;
    enum class Type { file, directory, symlink } type = Type::file;
};
std::string zip(const std::vector<ZipMember>& members);
// A zip with one member of `size` zero bytes, streamed through libarchive.
std::string zip_zeros(std::string_view path, std::size_t size);

// `n` bytes of every value, in no simple period (the same for the same n).
std::string bytes_sample(std::size_t n);

// Base64 with lines of `line` characters (0: one line), CRLF or LF breaks.
std::string base64(std::string_view data, std::size_t line = 76, bool crlf = true);

// One MIME part (headers + body) for multipart(); `headers` end with CRLF.
struct Part {
    std::string headers;
    std::string body;
};
// A multipart/mixed message with the given parts and extra top headers.
std::string multipart(const std::vector<Part>& parts, std::string_view boundary = "b0undary",
                      std::string_view top_headers = "");

// A base64 attachment part.
Part attachment(std::string_view content_type, std::string_view filename, std::string_view data);

} // namespace fixtures
