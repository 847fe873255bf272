// libFuzzer target: the XML stage alone (rua::detail::parse_report_xml via a
// MemorySource). Bad XML must come back as BadInput (or LimitExceeded, a
// BadInput); any other exception, crash, leak or UB is a finding.
// Never catches more than BadInput.
#include "kinds/aggregate/xml_report.hpp"

#include <rua/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

rua::Limits fuzz_limits() {
    rua::Limits limits;
    limits.max_records = 20'000;
    limits.max_field_bytes = 4096;
    return limits;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const rua::Limits k_limits = fuzz_limits();
    rua::detail::MemorySource source(std::string_view(reinterpret_cast<const char*>(data), size));
    try {
        const rua::AggregateReport report = rua::detail::parse_report_xml(source, k_limits);
        // Rendering walks every field the parser filled.
        static_cast<void>(report.to_json());
    } catch (const rua::BadInput&) {
        // The documented outcome for a document that is not a valid report.
    }
    return 0;
}
