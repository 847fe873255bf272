// Streaming gzip and raw zlib inflation with zlib. Output is charged to the
// attachment's Budget as it is produced; must never buffer a whole stream,
// never trust the gzip header's name or size, never leak the z_stream.
#include "decompress.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>
#include <new>

namespace rua::detail {

namespace {

constexpr std::size_t k_input_chunk = 64u << 10;

} // namespace

// The z_stream with its inflateEnd, created initialised.
struct InflateSource::Stream {
    z_stream z{};
    explicit Stream(int window_bits) {
        const int rc = inflateInit2(&z, window_bits);
        if (rc == Z_MEM_ERROR) {
            throw std::bad_alloc();
        }
        if (rc != Z_OK) {
            throw std::logic_error(fmt::format("inflateInit2 failed: {}", rc));
        }
    }
    ~Stream() { inflateEnd(&z); }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
};

InflateSource::InflateSource(ByteSource& in, Kind kind, Budget& budget)
    : m_in(in), m_kind(kind), m_budget(budget),
      m_stream(std::make_unique<Stream>(kind == Kind::gzip ? 15 + 16 : 15)),
      m_input(new char[k_input_chunk]) {}

InflateSource::~InflateSource() = default;

// Moves unread input to the front and reads more; false at end of input.
bool InflateSource::fill() {
    auto& z = m_stream->z;
    if (m_in_eof) {
        return false;
    }
    const std::size_t left = z.avail_in;
    if (left > 0 && z.next_in != reinterpret_cast<Bytef*>(m_input.get())) {
        std::memmove(m_input.get(), z.next_in, left);
    }
    const std::size_t got = m_in.read(m_input.get() + left, k_input_chunk - left);
    if (got == 0) {
        m_in_eof = true;
    }
    z.next_in = reinterpret_cast<Bytef*>(m_input.get());
    z.avail_in = static_cast<uInt>(left + got);
    return got > 0;
}

[[noreturn]] void InflateSource::truncated() {
    m_budget.fail(
        BadInput(m_kind == Kind::gzip ? "truncated gzip stream" : "truncated zlib stream"));
}

// After Z_STREAM_END: a gzip member may be followed by another one
// (RFC 1952 allows it); anything else is trailing junk that is counted and
// ignored (Mimecast appends CRLF).
void InflateSource::finish_member() {
    auto& z = m_stream->z;
    if (m_kind == Kind::gzip) {
        while (z.avail_in < 2 && fill()) {
        }
        if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
            inflateReset(&z);
            return;
        }
    }
    m_done = true;
    m_trailing = z.avail_in;
    z.avail_in = 0;
    char sink[4096];
    while (!m_in_eof) {
        const std::size_t got = m_in.read(sink, sizeof sink);
        m_trailing += got;
        m_in_eof = got == 0;
    }
}

std::size_t InflateSource::read(char* buffer, std::size_t max) {
    auto& z = m_stream->z;
    while (!m_done && max > 0) {
        if (z.avail_in == 0 && !fill()) {
            truncated();
        }
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = static_cast<uInt>(std::min<std::size_t>(max, 1u << 30));
        const int rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t produced = std::min<std::size_t>(max, 1u << 30) - z.avail_out;
        if (rc == Z_MEM_ERROR) {
            throw std::bad_alloc();
        }
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR) {
            const char* what = z.msg != nullptr ? z.msg : "bad data";
            m_budget.fail(BadInput(fmt::format("corrupt {} stream: {}",
                                               m_kind == Kind::gzip ? "gzip" : "zlib", what)));
        }
        if (rc == Z_BUF_ERROR && produced == 0 && z.avail_in > 0) {
            truncated(); // cannot happen with output space; be safe
        }
        if (rc == Z_STREAM_END) {
            finish_member();
        }
        if (produced > 0) {
            m_budget.charge(produced);
            return produced;
        }
    }
    return 0;
}

} // namespace rua::detail
