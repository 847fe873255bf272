// The tlsrpt test helpers (tlsrpt_fixtures.hpp). The Payload is built the
// way ingest builds it (a PeekSource for the head, sniffed), so the tests
// see the Kind exactly as ingest does.
#include "unit/kinds/tlsrpt/tlsrpt_fixtures.hpp"

#include "decompress.hpp"
#include "kinds/kind.hpp"
#include "kinds/kinds.hpp"
#include "sniff.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tlsrpt_test {

std::string fixture(const std::string& name) {
    const std::string path = std::string(RUA_SOURCE_DIR) + "/tests/fixtures/tlsrpt/" + name;
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.is_open(), "cannot open " << path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::unique_ptr<rua::TlsReport> parse(rua::detail::ByteSource& source, const rua::Limits& limits) {
    rua::detail::PeekSource peek(source);
    const std::string_view head = peek.head();
    rua::detail::Payload payload{"none", std::nullopt, rua::detail::sniff(head), head, peek};
    const rua::detail::Kind& kind = rua::detail::tlsrpt_kind();
    REQUIRE(kind.accepts(payload));
    rua::ReportPtr report = kind.parse(payload, limits);
    if (!report) {
        return nullptr;
    }
    REQUIRE(dynamic_cast<rua::TlsReport*>(report.get()) != nullptr);
    return std::unique_ptr<rua::TlsReport>(static_cast<rua::TlsReport*>(report.release()));
}

std::unique_ptr<rua::TlsReport> parse(std::string_view json, const rua::Limits& limits) {
    rua::detail::MemorySource source(json);
    return parse(source, limits);
}

std::string refusal(std::string_view json, const rua::Limits& limits) {
    try {
        parse(json, limits);
    } catch (const rua::BadInput& error) {
        return error.what();
    }
    return "parsed";
}

std::string report_with_policy(std::string_view policy) {
    return std::string(R"({"organization-name":"Example Receiver",)"
                       R"("date-range":{"start-datetime":"2024-01-09T00:00:00Z",)"
                       R"("end-datetime":"2024-01-09T23:59:59Z"},)"
                       R"("contact-info":"tlsrpt@receiver.example","report-id":"t-1",)"
                       R"("policies":[)") +
           std::string(policy) + "]}";
}

std::string gzip_with_spaces(std::string_view prefix, std::size_t spaces, std::string_view suffix) {
    z_stream z{};
    // Z_RLE: white space is one long run, deflated at memory speed.
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_RLE) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> owner(&z, deflateEnd);
    std::string out;
    std::string buffer(1u << 16, '\0');
    const auto pump = [&](std::string_view data, int flush) {
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        z.avail_in = static_cast<uInt>(data.size());
        int rc = Z_OK;
        do {
            z.next_out = reinterpret_cast<Bytef*>(buffer.data());
            z.avail_out = static_cast<uInt>(buffer.size());
            rc = deflate(&z, flush);
            out.append(buffer.data(), buffer.size() - z.avail_out);
        } while (flush == Z_FINISH ? rc == Z_OK : (z.avail_in > 0 || z.avail_out == 0));
    };
    pump(prefix, Z_NO_FLUSH);
    const std::string chunk(1u << 20, ' ');
    for (std::size_t done = 0; done < spaces; done += chunk.size()) {
        pump(std::string_view(chunk).substr(0, std::min(chunk.size(), spaces - done)), Z_NO_FLUSH);
    }
    pump(suffix, Z_NO_FLUSH);
    pump({}, Z_FINISH);
    return out;
}

GeneratedSource::GeneratedSource(std::string head, std::size_t count,
                                 std::function<std::string(std::size_t)> item, std::string tail)
    : m_head(std::move(head)), m_count(count), m_item(std::move(item)), m_tail(std::move(tail)) {
    m_pending = m_head;
}

std::size_t GeneratedSource::read(char* buffer, std::size_t max) {
    while (m_offset == m_pending.size()) {
        m_pending.clear();
        m_offset = 0;
        if (m_next < m_count) {
            m_pending = (m_next > 0 ? "," : "") + m_item(m_next);
            ++m_next;
        } else if (!m_tail_queued) {
            m_pending = m_tail;
            m_tail_queued = true;
        } else {
            return 0;
        }
    }
    const std::size_t n = std::min(max, m_pending.size() - m_offset);
    std::memcpy(buffer, m_pending.data() + m_offset, n);
    m_offset += n;
    m_produced += n;
    return n;
}

} // namespace tlsrpt_test
