// Builders for test inputs: compressed streams and archives are produced by
// zlib and libarchive in memory, so tests never depend on files on disk and
// bombs are generated in small chunks rather than held whole.
#include "fixtures.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace fixtures {

std::string report_xml(std::string_view org, std::string_view report_id, int records) {
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n"
                      "  <report_metadata>\n    <org_name>";
    xml += org;
    xml += "</org_name>\n    <email>noreply@example.org</email>\n    <report_id>";
    xml += report_id;
    xml += "</report_id>\n    <date_range><begin>1700000000</begin><end>1700086399</end>"
           "</date_range>\n  </report_metadata>\n  <policy_published>\n"
           "    <domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p>"
           "<sp>none</sp><pct>100</pct>\n  </policy_published>\n";
    for (int i = 0; i < records; ++i) {
        xml += "  <record>\n    <row><source_ip>192.0.2." + std::to_string(i % 250 + 1) +
               "</source_ip><count>2</count><policy_evaluated><disposition>none</disposition>"
               "<dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>\n"
               "    <identifiers><header_from>example.com</header_from></identifiers>\n"
               "    <auth_results><dkim><domain>example.com</domain><result>pass</result></dkim>"
               "<spf><domain>example.com</domain><result>fail</result></spf></auth_results>\n"
               "  </record>\n";
    }
    xml += "</feedback>\n";
    return xml;
}

namespace {

// Deflates `chunks()` output into a string; window_bits picks the wrapper.
template <typename Feed> std::string deflate_stream(int window_bits, Feed feed) {
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> owner(&z, deflateEnd);
    std::string out;
    char buffer[65536];
    auto pump = [&](std::string_view data, int flush) {
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        z.avail_in = static_cast<uInt>(data.size());
        int rc = Z_OK;
        do {
            z.next_out = reinterpret_cast<Bytef*>(buffer);
            z.avail_out = sizeof buffer;
            rc = deflate(&z, flush);
            out.append(buffer, sizeof buffer - z.avail_out);
        } while (flush == Z_FINISH ? rc == Z_OK : (z.avail_in > 0 || z.avail_out == 0));
    };
    feed([&](std::string_view data) { pump(data, Z_NO_FLUSH); });
    pump({}, Z_FINISH);
    return out;
}

} // namespace

std::string gzip(std::string_view data) {
    return deflate_stream(15 + 16, [&](auto&& write) { write(data); });
}

std::string gzip_zeros(std::size_t size) {
    // One member of 1 MiB of zeros, repeated: a legal multi-member gzip
    // (RFC 1952) that is built in milliseconds instead of deflating 1 GiB.
    constexpr std::size_t k_chunk = 1u << 20;
    const std::string zeros(std::min(size, k_chunk), '\0');
    const std::string member = gzip(zeros);
    std::string out;
    for (std::size_t done = 0; done < size; done += k_chunk) {
        out += size - done >= k_chunk ? member : gzip(std::string(size - done, '\0'));
    }
    return out;
}

std::string zlib(std::string_view data) {
    return deflate_stream(15, [&](auto&& write) { write(data); });
}

namespace {

struct WriteFree {
    void operator()(struct archive* handle) const { archive_write_free(handle); }
};
struct EntryFree {
    void operator()(struct archive_entry* entry) const { archive_entry_free(entry); }
};

la_ssize_t append(struct archive*, void* out, const void* data, size_t size) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
    return static_cast<la_ssize_t>(size);
}

template <typename Body> std::string build_zip(Body body) {
    std::string out;
    std::unique_ptr<struct archive, WriteFree> writer(archive_write_new());
    archive_write_set_format_zip(writer.get());
    archive_write_zip_set_compression_deflate(writer.get());
    archive_write_set_bytes_in_last_block(writer.get(), 1);
    archive_write_set_options(writer.get(), "zip:compression-level=1");
    if (archive_write_open2(writer.get(), &out, nullptr, append, nullptr, nullptr) != ARCHIVE_OK) {
        throw std::runtime_error("archive_write_open2 failed");
    }
    body(writer.get());
    archive_write_close(writer.get());
    return out;
}

} // namespace

std::string zip(const std::vector<ZipMember>& members) {
    return build_zip([&](struct archive* writer) {
        for (const auto& member : members) {
            std::unique_ptr<struct archive_entry, EntryFree> entry(archive_entry_new());
            archive_entry_set_pathname(entry.get(), member.path.c_str());
            archive_entry_set_mtime(entry.get(), 1700000000, 0);
            if (member.type == ZipMember::Type::directory) {
                archive_entry_set_filetype(entry.get(), AE_IFDIR);
                archive_entry_set_perm(entry.get(), 0755);
            } else if (member.type == ZipMember::Type::symlink) {
                archive_entry_set_filetype(entry.get(), AE_IFLNK);
                archive_entry_set_symlink(entry.get(), member.data.c_str());
                archive_entry_set_perm(entry.get(), 0777);
            } else {
                archive_entry_set_filetype(entry.get(), AE_IFREG);
                archive_entry_set_perm(entry.get(), 0644);
                archive_entry_set_size(entry.get(), static_cast<la_int64_t>(member.data.size()));
            }
            archive_write_header(writer, entry.get());
            if (member.type == ZipMember::Type::file && !member.data.empty()) {
                archive_write_data(writer, member.data.data(), member.data.size());
            }
        }
    });
}

std::string zip_zeros(std::string_view path, std::size_t size) {
    return build_zip([&](struct archive* writer) {
        std::unique_ptr<struct archive_entry, EntryFree> entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), std::string(path).c_str());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
        archive_write_header(writer, entry.get());
        const std::string zeros(1u << 20, '\0');
        for (std::size_t done = 0; done < size; done += zeros.size()) {
            archive_write_data(writer, zeros.data(), std::min(zeros.size(), size - done));
        }
    });
}

std::string bytes_sample(std::size_t n) {
    std::string out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        out += static_cast<char>((i * 7919 + i / 13) & 0xff);
    }
    return out;
}

std::string base64(std::string_view data, std::size_t line, bool crlf) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string flat;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        unsigned value = static_cast<unsigned char>(data[i]) << 16;
        if (i + 1 < data.size()) {
            value |= static_cast<unsigned char>(data[i + 1]) << 8;
        }
        if (i + 2 < data.size()) {
            value |= static_cast<unsigned char>(data[i + 2]);
        }
        flat += k_alphabet[(value >> 18) & 63];
        flat += k_alphabet[(value >> 12) & 63];
        flat += i + 1 < data.size() ? k_alphabet[(value >> 6) & 63] : '=';
        flat += i + 2 < data.size() ? k_alphabet[value & 63] : '=';
    }
    if (line == 0) {
        return flat;
    }
    std::string out;
    for (std::size_t i = 0; i < flat.size(); i += line) {
        out += flat.substr(i, line);
        out += crlf ? "\r\n" : "\n";
    }
    return out;
}

std::string multipart(const std::vector<Part>& parts, std::string_view boundary,
                      std::string_view top_headers) {
    std::string out = "From: reporter@example.org\r\nTo: dmarc@example.com\r\n"
                      "Subject: Report Domain: example.com\r\nMIME-Version: 1.0\r\n";
    out += top_headers;
    out += "Content-Type: multipart/mixed; boundary=\"" + std::string(boundary) + "\"\r\n\r\n";
    out += "This is a multi-part message in MIME format.\r\n";
    for (const auto& part : parts) {
        out += "\r\n--" + std::string(boundary) + "\r\n" + part.headers + "\r\n" + part.body;
    }
    out += "\r\n--" + std::string(boundary) + "--\r\n";
    return out;
}

Part attachment(std::string_view content_type, std::string_view filename, std::string_view data) {
    Part part;
    part.headers = "Content-Type: " + std::string(content_type) + "; name=\"" +
                   std::string(filename) +
                   "\"\r\nContent-Transfer-Encoding: base64\r\n"
                   "Content-Disposition: attachment; filename=\"" +
                   std::string(filename) + "\"\r\n";
    part.body = base64(data);
    return part;
}

} // namespace fixtures
