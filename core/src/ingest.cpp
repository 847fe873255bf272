// STUB (owned by the MIME/decompression stage): replaced by the pipeline.
#include <rua/errors.hpp>
#include <rua/ingest.hpp>

namespace rua {

std::string Diagnostic::text() const { return message; }
std::string IngestResult::first_error() const { return {}; }
IngestResult ingest(std::string_view /*raw*/, const Limits& /*limits*/, std::string_view /*name*/) {
    return {};
}

} // namespace rua
