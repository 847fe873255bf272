// rua::ingest: raw message (or bare report file) in, reports of every
// registered kind and one diagnostic per part out. Ties the stages together:
// MIME walk, the kinds' message-level scan, transfer decoding, sniffing,
// unpacking, then each payload to the first kind that accepts it. Must never
// name a kind, never let a bad part throw (only whole-message bounds do) and
// never log or store bodies.
#include "base64.hpp"
#include "base64_source.hpp"
#include "decompress.hpp"
#include "filename.hpp"
#include "kinds/kind.hpp"
#include "mime.hpp"
#include "sniff.hpp"

#include <rua/budget.hpp>
#include <rua/errors.hpp>
#include <rua/ingest.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <set>

namespace rua {

namespace {

using detail::Format;

std::string non_report_message(Format format, std::string_view head) {
    switch (format) {
    case Format::json:
        return "JSON (not a report)";
    case Format::empty:
        return "empty attachment (ignored)";
    case Format::text:
        return "human-readable text (ignored)";
    case Format::html:
        return "HTML (ignored)";
    default:
        return fmt::format("{} (ignored)", detail::describe_non_report(format, head));
    }
}

// The message of the error a stream remembered (the XML parser may have
// wrapped it), else the one caught. A remembered MemoryExhausted is
// rethrown instead: it must end as try_later, never as a bad report.
std::string real_message(const BadInput& caught, detail::Budget& budget) {
    if (auto failure = budget.take_failure()) {
        try {
            std::rethrow_exception(failure);
        } catch (const MemoryExhausted&) {
            throw; // not the input's fault: the whole message is retried later
        } catch (const std::exception& real) {
            return real.what();
        }
    }
    return caught.what();
}

// What a part's first bytes are, its declared type breaking one tie.
Format sniff_part(std::string_view head, const OptString& content_type) {
    const Format format = detail::sniff(head);
    if (format == Format::xml && content_type == "text/html") {
        return Format::html; // declared HTML that starts with an unusual tag
    }
    return format;
}

class Ingester {
public:
    Ingester(const Limits& limits, std::string_view source_name, IngestResult& result,
             ReportSink* sink)
        : m_limits(limits), m_source_name(source_name), m_result(result), m_sink(sink) {}

    // One candidate attachment, transfer-decoded: `owned` when decoding
    // made a copy, else `external` (a view of the caller's input).
    void attachment(int part, const OptString& content_type, const OptString& filename,
                    std::optional<std::string> owned, std::string_view external) {
        start(part, content_type, filename);
        const std::string_view bytes = owned ? std::string_view(*owned) : external;
        const std::size_t before = m_result.diagnostics.size();
        const Format format = sniff_part(bytes, content_type);
        m_bytes = bytes;
        m_encoded = nullptr;
        m_format = format;
        if (detail::is_compressed(format) || accepted(format)) {
            unpack(bytes);
        } else {
            add(Diagnostic::Level::info, non_report_message(format, bytes.substr(0, 64)));
        }
        if (m_found > 0) {
            Attachment kept;
            kept.part = part;
            kept.content_type = content_type;
            kept.filename = filename;
            kept.format = detail::format_name(format);
            kept.bytes = owned ? std::move(*owned) : std::string(bytes);
            m_result.attachments.push_back(std::move(kept));
        } else if (m_result.diagnostics.size() == before) {
            add(Diagnostic::Level::info, "no report found");
        }
    }

    // A report a kind found in the message's structure.
    void finding(detail::MessageFinding& found) {
        start(found.part, found.content_type, std::nullopt);
        if (!found.report) {
            add(Diagnostic::Level::error, found.error);
            return;
        }
        found.report->source.file = std::string(m_source_name);
        found.report->source.part = found.part;
        found.report->source.content_type = found.content_type;
        found.report->source.compression = "none";
        found.report->attachment = m_result.attachments.size();
        add(Diagnostic::Level::info, parsed_line(*found.report, ""));
        Attachment kept;
        kept.part = found.part;
        kept.content_type = found.content_type;
        kept.format = found.format;
        kept.bytes = std::move(found.bytes);
        m_result.attachments.push_back(std::move(kept));
        m_result.reports.push_back(std::move(found.report));
    }

    // A part that could not even be transfer-decoded.
    void failed(int part, const OptString& content_type, const OptString& filename,
                std::string message) {
        start(part, content_type, filename);
        add(Diagnostic::Level::error, std::move(message));
    }

    void add(Diagnostic::Level level, std::string message) {
        Diagnostic diagnostic;
        diagnostic.level = level;
        diagnostic.part = m_part;
        diagnostic.content_type = m_content_type;
        diagnostic.filename = m_filename;
        diagnostic.message = std::move(message);
        m_result.diagnostics.push_back(std::move(diagnostic));
    }

private:
    static bool accepted(Format format) { return format == Format::xml || format == Format::json; }

    static std::string parsed_line(const Report& report, const std::string& where) {
        return fmt::format(
            "{}{} report parsed: from={} id={} {}", where, report.kind(),
            detail::printable(report.reporter().empty() ? std::string("?") : report.reporter()),
            detail::printable(report.identifier()), items_label(report));
    }

    // ingest's side of a kind's ItemStream: fills what ingest knows about
    // the report, then forwards to the caller's sink.
    class Forward final : public detail::ItemStream {
    public:
        Forward(Ingester& ingester, detail::Payload& payload)
            : m_ingester(ingester), m_payload(payload) {}

        void begin(Report& report) override {
            m_ingester.describe(report, m_payload.compression);
            Attachment meta;
            meta.part = m_ingester.m_part;
            meta.content_type = m_ingester.m_content_type;
            meta.filename = m_ingester.m_filename;
            meta.format = detail::format_name(m_ingester.m_format);
            m_begun = true;
            if (m_ingester.m_encoded != nullptr) {
                const detail::Base64Bytes bytes(*m_ingester.m_encoded);
                m_ingester.m_sink->begin_chunked(report, meta, bytes);
            } else {
                const detail::HeldBytes bytes(m_ingester.m_bytes);
                m_ingester.m_sink->begin_chunked(report, meta, bytes);
            }
        }
        void items(Report& report) override { m_ingester.m_sink->items(report); }
        void end(Report& report) override {
            m_ingester.m_sink->end(report);
            report.streamed = true;
        }
        // The input's tail was read without error: the report stands.
        void settle() { m_begun = false; }
        // Called when the parse failed: the sink forgets a begun report.
        void abandon() noexcept {
            if (m_begun) {
                m_begun = false;
                m_ingester.m_sink->abandon();
            }
        }

    private:
        Ingester& m_ingester;
        detail::Payload& m_payload;
        bool m_begun = false;
    };

    void describe(Report& report, const std::string& compression) const {
        report.source.file = std::string(m_source_name);
        report.source.part = m_part;
        report.source.filename = m_filename;
        report.source.content_type = m_content_type;
        report.source.compression = compression;
        report.attachment = m_result.attachments.size();
    }

    void start(int part, const OptString& content_type, const OptString& filename) {
        m_part = part;
        m_content_type = content_type;
        m_filename = filename;
        m_found = 0;
    }

    void unpack(std::string_view bytes) {
        unpack_with(bytes.size(), [&](detail::Budget& budget, const detail::PayloadFn& visit,
                                      const detail::NoteFn& note) {
            detail::unpack(bytes, m_limits, budget, visit, note);
        });
    }

    // Runs one of detail's unpackers over an attachment of `compressed`
    // bytes, every payload to payload(), a failure of the whole attachment
    // as its error.
    template <typename Run> void unpack_with(std::size_t compressed, Run&& run) {
        detail::Budget budget(m_limits, compressed);
        const detail::PayloadFn visit = [&](detail::Payload& payload) {
            this->payload(payload, budget);
        };
        const detail::NoteFn note = [&](Diagnostic::Level level, std::string message) {
            add(level, std::move(message));
        };
        try {
            run(budget, visit, note);
        } catch (const BadInput& error) {
            add(Diagnostic::Level::error, real_message(error, budget));
        }
    }

public:
    // A large base64 part, with a sink: parsed as it is decoded, never held
    // decoded whole (the sink reads its bytes in chunks, decoded again).
    // False when the part does not qualify (no sink, small, or base64 odd
    // enough that only decoding it whole gives its one meaning).
    bool streamed_attachment(const detail::MimeLeaf& leaf) {
        if (m_sink == nullptr || leaf.transfer_encoding != "base64" ||
            leaf.body.size() < k_stream_encoded_bytes || !detail::plain_base64(leaf.body)) {
            return false;
        }
        start(leaf.part, leaf.content_type, leaf.filename);
        const std::size_t before = m_result.diagnostics.size();
        detail::Base64Source source(leaf.body);
        detail::PeekSource peek(source);
        const Format format = sniff_part(peek.head(), leaf.content_type);
        if (!detail::is_compressed(format) && !accepted(format)) {
            add(Diagnostic::Level::info, non_report_message(format, peek.head().substr(0, 64)));
            return true;
        }
        m_bytes = {};
        m_encoded = &leaf.body;
        m_format = format;
        unpack_with(leaf.body.size() / 4 * 3,
                    [&](detail::Budget& budget, const detail::PayloadFn& visit,
                        const detail::NoteFn& note) {
                        detail::unpack_stream(peek, m_limits, budget, visit, note);
                    });
        m_encoded = nullptr;
        if (m_found > 0) {
            Attachment kept;
            kept.part = leaf.part;
            kept.content_type = leaf.content_type;
            kept.filename = leaf.filename;
            kept.format = detail::format_name(format);
            // The store keeps the bytes of a report that was not streamed.
            const bool all_streamed =
                std::all_of(m_result.reports.end() - static_cast<std::ptrdiff_t>(m_found),
                            m_result.reports.end(), [](const ReportPtr& r) { return r->streamed; });
            if (!all_streamed) {
                kept.bytes = detail::decode_base64(leaf.body);
            }
            m_result.attachments.push_back(std::move(kept));
        } else if (m_result.diagnostics.size() == before) {
            add(Diagnostic::Level::info, "no report found");
        }
        return true;
    }

private:
    // Encoded parts smaller than this are decoded whole: their copy is small.
    static constexpr std::size_t k_stream_encoded_bytes = 1u << 20;

    void payload(detail::Payload& payload, detail::Budget& budget) {
        const std::string where =
            payload.member ? fmt::format("zip member \"{}\": ", *payload.member) : std::string();
        const std::string layers =
            payload.compression == "none" ? std::string() : payload.compression + " data: ";
        if (payload.format == Format::other && !layers.empty()) {
            // Compressed binary in a report mail is a bomb or junk: say so as an
            // error (it was not inflated past its first bytes).
            add(Diagnostic::Level::error,
                where + layers + "decompresses to unrecognised binary data, not a report");
            return;
        }
        const detail::Kind* kind = nullptr;
        for (const auto* candidate : detail::kinds()) {
            if (candidate->accepts(payload)) {
                kind = candidate;
                break;
            }
        }
        if (kind == nullptr) {
            add(Diagnostic::Level::info,
                where + layers + non_report_message(payload.format, payload.head.substr(0, 64)));
            return;
        }
        std::optional<Forward> forward;
        try {
            ReportPtr report;
            if (m_sink != nullptr) {
                forward.emplace(*this, payload);
                report = kind->parse_streaming(payload, m_limits, *forward);
            } else {
                report = kind->parse(payload, m_limits);
            }
            if (!report) {
                add(Diagnostic::Level::info,
                    where + layers +
                        non_report_message(payload.format, payload.head.substr(0, 64)));
                return;
            }
            detail::drain(payload.source); // a truncated or corrupt tail fails the report
            if (forward) {
                forward->settle();
            }
            describe(*report, payload.compression);
            add(Diagnostic::Level::info, parsed_line(*report, where));
            m_result.reports.push_back(std::move(report));
            ++m_found;
        } catch (const BadInput& error) {
            if (forward) {
                forward->abandon();
            }
            if (budget.exhausted()) {
                throw; // the outer handler reports the bound once
            }
            add(Diagnostic::Level::error, where + real_message(error, budget));
        } catch (...) {
            if (forward) {
                forward->abandon();
            }
            throw;
        }
    }

    const Limits& m_limits;
    std::string_view m_source_name;
    IngestResult& m_result;
    int m_part = 0;
    OptString m_content_type;
    OptString m_filename;
    std::size_t m_found = 0;
    ReportSink* m_sink;
    std::string_view m_bytes; // the current attachment, as received
    // The current attachment's base64 text when it is decoded as it is read.
    const std::string_view* m_encoded = nullptr;
    Format m_format = Format::other;
};

std::string label(const Diagnostic& diagnostic) {
    if (diagnostic.part == 0) {
        return "input";
    }
    std::string inside = diagnostic.content_type.value_or("");
    if (diagnostic.filename) {
        inside += fmt::format("{}\"{}\"", inside.empty() ? "" : ", ",
                              detail::printable(*diagnostic.filename));
    }
    if (inside.empty()) {
        return fmt::format("part {}", diagnostic.part);
    }
    return fmt::format("part {} ({})", diagnostic.part, inside);
}

} // namespace

std::string Diagnostic::text() const {
    return label(*this) + ": " + message;
}

std::string IngestResult::first_error() const {
    for (const auto& diagnostic : diagnostics) {
        if (diagnostic.level == Diagnostic::Level::error) {
            return diagnostic.text();
        }
    }
    if (!reports.empty()) {
        return {};
    }
    std::set<int> parts;
    std::vector<std::string> types; // what was found instead, each once
    for (const auto& diagnostic : diagnostics) {
        if (!parts.insert(diagnostic.part).second || diagnostic.part == 0) {
            continue;
        }
        const std::string type = detail::printable(diagnostic.content_type.value_or("untyped"), 80);
        if (std::find(types.begin(), types.end(), type) == types.end()) {
            types.push_back(type);
        }
    }
    if (parts.empty() || (parts.size() == 1 && *parts.begin() == 0)) {
        return "no report found in the input";
    }
    return fmt::format("no report found in {} part{} (found {})", parts.size(),
                       parts.size() == 1 ? "" : "s", fmt::join(types, ", "));
}

std::size_t IngestResult::items() const {
    std::size_t n = 0;
    for (const auto& report : reports) {
        n += report->items();
    }
    return n;
}

IngestResult ingest(std::string_view raw, const Limits& limits, std::string_view source_name,
                    ReportSink* sink) {
    if (raw.size() > limits.max_message_bytes) {
        throw LimitExceeded(
            fmt::format("message size {} exceeds {} bytes", raw.size(), limits.max_message_bytes));
    }
    IngestResult result;
    Ingester ingester(limits, source_name, result, sink);
    const Format format = detail::sniff(raw);
    if (detail::is_compressed(format) || format == Format::xml || format == Format::json ||
        format == Format::empty) {
        // A bare report file (ruactl parse x.xml.gz), not a message.
        ingester.attachment(0, std::nullopt, std::nullopt, std::nullopt, raw);
        return result;
    }
    const auto tree = detail::walk_mime(raw, limits);
    // Reports made of several parts (ARF) first; their parts are not read
    // again as attachments.
    std::vector<detail::MessageFinding> findings;
    for (const auto* kind : detail::kinds()) {
        kind->scan_message(tree, limits, findings);
    }
    std::set<int> consumed;
    for (auto& found : findings) {
        consumed.insert(found.parts.begin(), found.parts.end());
        ingester.finding(found);
    }
    for (const auto& leaf : tree.leaves) {
        if (consumed.count(leaf.part) > 0) {
            continue;
        }
        if (ingester.streamed_attachment(leaf)) {
            continue;
        }
        if (!detail::is_transfer_encoded(leaf)) {
            ingester.attachment(leaf.part, leaf.content_type, leaf.filename, std::nullopt,
                                leaf.body);
            continue;
        }
        std::string decoded;
        try {
            decoded = detail::decode_body(leaf);
        } catch (const BadInput& error) {
            ingester.failed(leaf.part, leaf.content_type, leaf.filename, error.what());
            continue;
        }
        ingester.attachment(leaf.part, leaf.content_type, leaf.filename, std::move(decoded), {});
    }
    return result;
}

} // namespace rua
