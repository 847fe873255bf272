// The unpacking walk: sniff, peel a compression layer, re-sniff, until a
// payload is reached; zip members are walked one by one. Bounds come from
// Limits through the Budget; must never hold a decompressed stream whole,
// except a zip nested inside another layer (libarchive needs it in memory,
// and the Budget has already bounded it).
#include "decompress.hpp"

#include "filename.hpp"

#include <rua/budget.hpp>
#include <rua/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace rua::detail {

Budget::Budget(const Limits& limits, std::size_t compressed_bytes)
    : m_max_bytes(limits.max_decompressed_bytes), m_max_ratio(limits.max_ratio),
      m_compressed(std::max<std::size_t>(compressed_bytes, 1)), m_memory(limits.memory) {}

void Budget::charge(std::size_t bytes) {
    m_total += bytes;
    if (m_total > m_max_bytes) {
        m_exhausted = true;
        fail(LimitExceeded(fmt::format("decompressed size exceeds {} bytes", m_max_bytes)));
    }
    if (m_total > k_ratio_floor && m_total / m_compressed >= m_max_ratio) {
        m_exhausted = true;
        fail(LimitExceeded(fmt::format("decompression ratio exceeds {}:1", m_max_ratio)));
    }
    if (m_memory != nullptr && !m_memory->try_reserve(bytes)) {
        m_exhausted = true;
        fail(MemoryExhausted(fmt::format(
            "memory budget of {} bytes for messages in flight exhausted", m_memory->limit())));
    }
}

std::exception_ptr Budget::take_failure() {
    auto failure = m_failure;
    m_failure = nullptr;
    return failure;
}

std::string_view PeekSource::head() {
    if (!m_filled) {
        m_filled = true;
        m_head.resize(k_sniff_bytes);
        std::size_t have = 0;
        while (have < m_head.size()) {
            const std::size_t got = m_in.read(m_head.data() + have, m_head.size() - have);
            if (got == 0) {
                break;
            }
            have += got;
        }
        m_head.resize(have);
    }
    return m_head;
}

std::size_t PeekSource::read(char* buffer, std::size_t max) {
    head();
    if (m_replayed < m_head.size()) {
        const std::size_t n = std::min(max, m_head.size() - m_replayed);
        std::memcpy(buffer, m_head.data() + m_replayed, n);
        m_replayed += n;
        return n;
    }
    return m_in.read(buffer, max);
}

void drain(ByteSource& source) {
    char sink[16384];
    while (source.read(sink, sizeof sink) > 0) {
    }
}

namespace {

// The current member of a ZipReader as a stream, charged to the Budget.
class ZipMemberSource final : public ByteSource {
public:
    ZipMemberSource(ZipReader& reader, Budget& budget) : m_reader(reader), m_budget(budget) {}
    std::size_t read(char* buffer, std::size_t max) override {
        std::size_t got = 0;
        try {
            got = m_reader.read(buffer, max);
        } catch (const BadInput& error) {
            m_budget.fail(error);
        }
        m_budget.charge(got);
        return got;
    }

private:
    ZipReader& m_reader;
    Budget& m_budget;
};

class Unpacker {
public:
    Unpacker(const Limits& limits, Budget& budget, const PayloadFn& visit, const NoteFn& note)
        : m_limits(limits), m_budget(budget), m_visit(visit), m_note(note) {}

    // `memory` is the stream's whole content when it is already in memory
    // (the attachment itself), so a zip needs no copy.
    void walk(ByteSource& in, std::string_view memory, const std::string& compression,
              std::size_t layers, const OptString& member) {
        PeekSource peek(in);
        const auto head = peek.head();
        const Format format = sniff(head);
        if (is_compressed(format) && layers >= m_limits.max_layers) {
            throw LimitExceeded(
                fmt::format("more than {} layers of compression", m_limits.max_layers));
        }
        const auto deeper = [&](const char* name) {
            return compression.empty() ? std::string(name) : compression + "+" + name;
        };
        if (format == Format::gzip || format == Format::zlib) {
            const auto kind =
                format == Format::gzip ? InflateSource::Kind::gzip : InflateSource::Kind::zlib;
            InflateSource inflater(peek, kind, m_budget);
            walk(inflater, {}, deeper(format_name(format)), layers + 1, member);
            if (inflater.trailing_bytes() > 0) {
                m_note(Diagnostic::Level::warning,
                       fmt::format("{}ignored {} bytes after the end of the {} stream",
                                   prefix(member), inflater.trailing_bytes(), format_name(format)));
            }
            return;
        }
        if (format == Format::zip) {
            if (member) {
                throw BadInput(fmt::format("{}zip inside a zip is not supported", prefix(member)));
            }
            std::string copy;
            if (memory.empty()) {
                char chunk[16384];
                for (std::size_t got = 0; (got = peek.read(chunk, sizeof chunk)) > 0;) {
                    copy.append(chunk, got);
                }
                memory = copy;
            }
            walk_zip(memory, deeper("zip"), layers + 1);
            return;
        }
        Payload payload{compression.empty() ? "none" : compression, member, format, head, peek};
        m_visit(payload);
    }

private:
    static std::string prefix(const OptString& member) {
        return member ? fmt::format("zip member \"{}\": ", *member) : std::string();
    }

    void walk_zip(std::string_view bytes, const std::string& compression, std::size_t layers) {
        ZipReader reader(bytes);
        ZipReader::Entry entry;
        std::size_t members = 0;
        while (reader.next(entry)) {
            const OptString name = printable(entry.path);
            if (entry.type == ZipReader::EntryType::directory) {
                m_note(Diagnostic::Level::info, prefix(name) + "directory (skipped)");
                continue;
            }
            if (++members > m_limits.max_zip_members) {
                throw LimitExceeded(
                    fmt::format("zip archive has more than {} members", m_limits.max_zip_members));
            }
            if (entry.type == ZipReader::EntryType::symlink) {
                m_note(Diagnostic::Level::warning, prefix(name) + "symbolic link (skipped)");
                continue;
            }
            if (entry.type != ZipReader::EntryType::regular) {
                m_note(Diagnostic::Level::warning, prefix(name) + "not a regular file (skipped)");
                continue;
            }
            // A member is read by its content whatever its name: names are
            // only labels here (nothing is ever written to disk), and
            // streamed zips give members an empty name. A name that would be
            // a path trick for an extractor is flagged, not obeyed.
            if (!entry.path.empty() && is_unsafe_path(entry.path)) {
                m_note(Diagnostic::Level::warning,
                       prefix(name) + "name looks like a path trick (read by content only)");
            }
            ZipMemberSource source(reader, m_budget);
            try {
                walk(source, {}, compression, layers, name);
            } catch (const BadInput& error) {
                if (m_budget.exhausted()) {
                    throw; // a bound stops the whole attachment
                }
                m_budget.take_failure();
                const std::string what = error.what();
                const bool named = what.rfind("zip member", 0) == 0;
                m_note(Diagnostic::Level::error, named ? what : prefix(name) + what);
            }
        }
    }

    const Limits& m_limits;
    Budget& m_budget;
    const PayloadFn& m_visit;
    const NoteFn& m_note;
};

} // namespace

void unpack(std::string_view bytes, const Limits& limits, Budget& budget, const PayloadFn& visit,
            const NoteFn& note) {
    MemorySource source(bytes);
    Unpacker(limits, budget, visit, note).walk(source, bytes, "", 0, std::nullopt);
}

void unpack_stream(ByteSource& source, const Limits& limits, Budget& budget, const PayloadFn& visit,
                   const NoteFn& note) {
    Unpacker(limits, budget, visit, note).walk(source, {}, "", 0, std::nullopt);
}

} // namespace rua::detail
