// libFuzzer target: rua::ingest on arbitrary bytes (an e-mail, or a bare
// xml/gz/zip/zlib file). ingest promises to throw nothing but LimitExceeded for
// any input; every other exception, crash, leak or UB is a finding.
// Never catches more than that promise allows.
#include <rua/errors.hpp>
#include <rua/ingest.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

rua::Limits fuzz_limits() {
    rua::Limits limits;
    // Smaller than the defaults so that one input stays well under the
    // fuzzer's time and memory budget; the bounds themselves are under test.
    limits.max_message_bytes = 1u << 20;
    limits.max_decompressed_bytes = 8u << 20;
    limits.max_records = 20'000;
    return limits;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const rua::Limits k_limits = fuzz_limits();
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    try {
        const rua::IngestResult result = rua::ingest(raw, k_limits, "fuzz");
        for (const auto& diagnostic : result.diagnostics) {
            static_cast<void>(diagnostic.text());
        }
        static_cast<void>(result.first_error());
        for (const auto& report : result.reports) {
            if (report->attachment >= result.attachments.size()) {
                __builtin_trap(); // a report must point at its attachment
            }
        }
    } catch (const rua::LimitExceeded&) {
        // The documented outcome for a message that exceeds a bound.
    }
    return 0;
}
