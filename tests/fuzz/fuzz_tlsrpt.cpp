// libFuzzer target: the tlsrpt kind's JSON stage alone (parse_tlsrpt over a
// MemorySource, with small bounds). Bad JSON must come back as BadInput (or
// LimitExceeded, a BadInput) or as "not a TLS report" (null); any other
// exception, crash, leak or UB is a finding. Never catches more than BadInput.
#include "kinds/tlsrpt/parse.hpp"

#include <rua/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

rua::Limits fuzz_limits() {
    rua::Limits limits;
    limits.max_json_depth = 8;
    limits.max_policies = 16;
    limits.max_failure_details = 64;
    limits.max_field_bytes = 1024;
    limits.max_count = 1000000;
    return limits;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const rua::Limits k_limits = fuzz_limits();
    rua::detail::MemorySource source(std::string_view(reinterpret_cast<const char*>(data), size));
    try {
        const auto report = rua::detail::parse_tlsrpt(source, k_limits);
        if (report) {
            // Rendering walks every field the parser filled.
            static_cast<void>(report->to_json());
            static_cast<void>(report->fingerprint());
            static_cast<void>(report->domains());
        }
    } catch (const rua::BadInput&) {
        // The documented outcome for a document that is not a valid report.
    }
    return 0;
}
