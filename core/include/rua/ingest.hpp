// The core's single entry point: raw bytes in (an e-mail exactly as the MTA
// received it, or a bare .xml/.json/.gz/.zip/.zlib file), reports of every
// registered kind out, plus
// one diagnostic for every part looked at. Never touches a database or the
// network, never writes files.
#pragma once

#include <rua/limits.hpp>
#include <rua/model.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua {

// One decoded attachment (a MIME leaf, or the whole input when it is not
// a message), exactly as received after transfer decoding: still compressed.
struct Attachment {
    int part = 0;
    OptString content_type;
    OptString filename; // sanitised: no path, no control characters
    std::string format; // "gzip", "zip", "zlib", "xml", "json", or a kind's own
    std::string bytes;
};

struct Diagnostic {
    enum class Level { info, warning, error };
    Level level = Level::info;
    int part = 0;
    OptString content_type;
    OptString filename;
    std::string message;

    // "part 2 (application/gzip, \"x.xml.gz\"): decompressed size exceeds ..."
    std::string text() const;
};

struct IngestResult {
    std::vector<Attachment> attachments; // only those that yielded a report
    std::vector<ReportPtr> reports;
    std::vector<Diagnostic> diagnostics;

    // The most useful error line when no report was found (for logs,
    // quarantine rows and SMTP replies); empty when there is none.
    std::string first_error() const;

    std::size_t items() const; // Report::items() summed over the reports
};

// Receives a large report while it is parsed, so that no report is ever held
// whole (memory does not grow with the record count). A kind that can stream
// (aggregate) keeps a report's items in memory until they pass
// Limits::stream_items; past that it hands the report here in batches:
// begin(), items() any number of times, then end(). Between calls the report
// holds only the current batch of items (its kind's list); items() counts all.
// A report that stays below the threshold never reaches the sink and is
// returned whole, as without one. Reports delivered here are returned in
// IngestResult::reports too, with Report::streamed set and no items held.
// An attachment's bytes as received (transfer-decoded, still compressed),
// read in chunks: a large base64 attachment is never decoded whole, it is
// decoded again piece by piece for whoever needs its bytes.
class AttachmentBytes {
public:
    virtual ~AttachmentBytes() = default;
    AttachmentBytes() = default;
    AttachmentBytes(const AttachmentBytes&) = delete;
    AttachmentBytes& operator=(const AttachmentBytes&) = delete;

    // Calls fn with consecutive chunks: every byte, in order. Throws what
    // fn throws (decoding already succeeded once, while parsing).
    virtual void read(const std::function<void(std::string_view)>& fn) const = 0;
    // The bytes when they are held whole anyway, else nullopt.
    virtual std::optional<std::string_view> whole() const = 0;
};

class ReportSink {
public:
    virtual ~ReportSink() = default;
    ReportSink() = default;
    ReportSink(const ReportSink&) = delete;
    ReportSink& operator=(const ReportSink&) = delete;

    // The report's head (everything before its items) is complete and its
    // first batch is held. Report::source and Report::attachment are set;
    // `attachment` describes the part it came from (its `bytes` are empty:
    // they are `bytes`, as received, still compressed).
    // May throw: BadInput or LimitExceeded fail the report (the part becomes
    // a diagnostic), anything else ends ingest.
    // `bytes` is empty when the attachment was never held whole (a large
    // base64 part parsed as it was decoded): a sink that keeps the bytes
    // overrides begin_chunked instead.
    virtual void begin(Report& report, const Attachment& attachment, std::string_view bytes) = 0;
    // The same with the bytes in chunks; by default begin() with the bytes
    // if they are held whole, else empty.
    virtual void begin_chunked(Report& report, const Attachment& attachment,
                               const AttachmentBytes& bytes) {
        begin(report, attachment, bytes.whole().value_or(std::string_view()));
    }
    // The next batch is held (the previous one is gone). The sink may take
    // it (Report::take_batch) instead of reading it where it is.
    virtual void items(Report& report) = 0;
    // The report is complete and valid; its last batch (maybe empty) is held.
    virtual void end(Report& report) = 0;
    // The report begun last failed after begin() (bad input past its head,
    // or a corrupt tail of its input found even after end()): undo what was
    // written for it. Called at most once per begin().
    virtual void abandon() noexcept = 0;
};

// Parses everything in `raw`. Problems inside a part become diagnostics;
// the result may hold zero reports. `source_name` fills Report::source.file.
// Throws LimitExceeded when the message as a whole exceeds a bound
// (size, parts, depth); never throws for a malformed part.
// With a sink, large reports are delivered through it as they are parsed.
IngestResult ingest(std::string_view raw, const Limits& limits, std::string_view source_name = "-",
                    ReportSink* sink = nullptr);

} // namespace rua
