// The core's single entry point: raw bytes in (an e-mail exactly as the MTA
// received it, or a bare .xml/.json/.gz/.zip/.zlib file), reports of every
// registered kind out, plus
// one diagnostic for every part looked at. Never touches a database or the
// network, never writes files.
#pragma once

#include <rua/limits.hpp>
#include <rua/model.hpp>

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

// Parses everything in `raw`. Problems inside a part become diagnostics;
// the result may hold zero reports. `source_name` fills Report::source.file.
// Throws LimitExceeded when the message as a whole exceeds a bound
// (size, parts, depth); never throws for a malformed part.
IngestResult ingest(std::string_view raw, const Limits& limits, std::string_view source_name = "-");

} // namespace rua
