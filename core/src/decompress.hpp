// Unpacking an attachment, layer by layer: gzip, raw zlib and zip, each
// streamed, each layer re-sniffed, until a payload (XML, JSON, anything
// else) is reached and handed to a visitor. Every byte produced is charged
// to a per-attachment Budget, so a bomb stops at the configured bound and
// never lands in memory whole.
#pragma once

#include "byte_source.hpp"
#include "sniff.hpp"

#include <rua/ingest.hpp>
#include <rua/limits.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct archive;

namespace rua::detail {

// Counts decompressed bytes across all layers and members of one
// attachment and enforces Limits::max_decompressed_bytes and max_ratio; the
// same bytes are charged to Limits::memory (the milter's MaxInFlightBytes),
// if any, which throws MemoryExhausted (a TryLater) past it.
class Budget {
public:
    // The ratio is only enforced once output exceeds this, so that a tiny
    // file that compresses very well is fine.
    static constexpr std::size_t k_ratio_floor = 1u << 20;

    Budget(const Limits& limits, std::size_t compressed_bytes);

    // Throws LimitExceeded when `bytes` more would break a bound; the
    // exception is also remembered (see failure()).
    void charge(std::size_t bytes);
    std::size_t total() const { return m_total; }
    bool exhausted() const { return m_exhausted; }

    // Streams call this before throwing, because the consumer (the XML
    // parser) may wrap what it catches into its own error. Returns and
    // clears the remembered error; null when there is none.
    template <typename E> [[noreturn]] void fail(const E& error) {
        m_failure = std::make_exception_ptr(error);
        throw error;
    }
    std::exception_ptr take_failure();

private:
    std::size_t m_max_bytes;
    std::size_t m_max_ratio;
    std::size_t m_compressed;
    MemoryReservation* m_memory;
    std::size_t m_total = 0;
    bool m_exhausted = false;
    std::exception_ptr m_failure;
};

// Buffers the first k_sniff_bytes of a stream so it can be sniffed, then
// replays them.
class PeekSource final : public ByteSource {
public:
    explicit PeekSource(ByteSource& in) : m_in(in) {}
    std::string_view head(); // reads ahead on first call
    std::size_t read(char* buffer, std::size_t max) override;
    std::size_t size_hint() const override {
        const std::size_t rest = m_in.size_hint();
        return rest == 0 ? 0 : rest + (m_head.size() - m_replayed);
    }

private:
    ByteSource& m_in;
    std::string m_head;
    std::size_t m_replayed = 0;
    bool m_filled = false;
};

// Inflates a gzip (multi-member, trailing bytes tolerated) or raw zlib
// stream. Owns its z_stream. Throws BadInput "truncated gzip stream",
// "corrupt gzip stream: <zlib message>", or the Budget's LimitExceeded.
class InflateSource final : public ByteSource {
public:
    enum class Kind { gzip, zlib };
    InflateSource(ByteSource& in, Kind kind, Budget& budget);
    ~InflateSource() override;
    InflateSource(const InflateSource&) = delete;
    InflateSource& operator=(const InflateSource&) = delete;

    std::size_t read(char* buffer, std::size_t max) override;
    // Bytes found after the end of the (last) compressed stream.
    std::size_t trailing_bytes() const { return m_trailing; }

private:
    struct Stream;
    bool fill();
    void finish_member();
    [[noreturn]] void truncated();

    ByteSource& m_in;
    Kind m_kind;
    Budget& m_budget;
    std::unique_ptr<Stream> m_stream;
    std::unique_ptr<char[]> m_input; // k_input_chunk bytes, not zero-filled
    bool m_in_eof = false;
    bool m_done = false;
    std::size_t m_trailing = 0;
};

struct ArchiveCloser {
    void operator()(struct ::archive* handle) const;
};

// Reads the members of a zip archive held in memory (the caller keeps the
// bytes alive). Throws BadInput "corrupt zip archive: <libarchive message>".
class ZipReader {
public:
    enum class EntryType { regular, directory, symlink, other };
    struct Entry {
        std::string path; // as stored in the archive (untrusted)
        EntryType type = EntryType::other;
    };

    explicit ZipReader(std::string_view bytes);
    bool next(Entry& entry);                         // false after the last member
    std::size_t read(char* buffer, std::size_t max); // the current member

private:
    std::unique_ptr<struct ::archive, ArchiveCloser> m_archive;
};

// One unpacked payload: a stream positioned at its first byte.
struct Payload {
    std::string compression; // "none", "gzip", "zip", "gzip+gzip", ...
    OptString member;        // zip member path, printable, when inside a zip
    Format format = Format::other;
    std::string_view head; // first bytes, for diagnostics
    ByteSource& source;
};

// A note about something skipped or tolerated inside an attachment.
using NoteFn = std::function<void(Diagnostic::Level, std::string)>;
using PayloadFn = std::function<void(Payload&)>;

// Unpacks `bytes` (one decoded attachment) and calls `visit` for every
// payload: once for a plain or gzip'd file, once per regular zip member.
// Skipped zip members and tolerated oddities go to `note`. Throws
// BadInput / LimitExceeded for damage that stops the whole attachment
// (a corrupt or truncated outer layer, a bound).
void unpack(std::string_view bytes, const Limits& limits, Budget& budget, const PayloadFn& visit,
            const NoteFn& note);

// The same for an attachment read as a stream (a large base64 part decoded
// as it is read): a zip is then first read into memory, still compressed.
void unpack_stream(ByteSource& source, const Limits& limits, Budget& budget, const PayloadFn& visit,
                   const NoteFn& note);

// Reads `source` to its end (checks integrity: CRC, truncation, bounds).
void drain(ByteSource& source);

} // namespace rua::detail
