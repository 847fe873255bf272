// libFuzzer target: the failure kind's scan (walk_mime, then
// Kind::scan_message) on arbitrary bytes, with small bounds. scan_message
// promises never to throw for bad input; walk_mime may throw LimitExceeded.
// Every other exception, crash, leak or UB is a finding, and so is a report
// whose private form does not parse back as a failure report.
#include "kinds/kind.hpp"
#include "kinds/kinds.hpp"
#include "mime.hpp"

#include <rua/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace {

rua::Limits fuzz_limits() {
    rua::Limits limits;
    limits.max_message_bytes = 1u << 20;
    limits.max_parts = 20;
    limits.max_field_bytes = 4096;
    limits.max_original_body_bytes = 1024;
    return limits;
}

std::vector<rua::detail::MessageFinding> scan(std::string_view raw, const rua::Limits& limits) {
    std::vector<rua::detail::MessageFinding> findings;
    const auto tree = rua::detail::walk_mime(raw, limits);
    rua::detail::failure_kind().scan_message(tree, limits, findings);
    return findings;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const rua::Limits k_limits = fuzz_limits();
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    try {
        for (const auto& found : scan(raw, k_limits)) {
            if ((found.report == nullptr) == found.error.empty()) {
                __builtin_trap(); // a refusal says why; a report has no error
            }
            if (found.report == nullptr) {
                continue;
            }
            static_cast<void>(found.report->to_json());
            static_cast<void>(found.report->identifier());
            const auto form = found.report->private_form(rua::Privacy::redacted);
            if (!form || scan(*form, rua::Limits{}).size() != 1) {
                __builtin_trap(); // the private form must read back as one report
            }
        }
    } catch (const rua::LimitExceeded&) {
        // walk_mime's documented outcome for a message past a bound.
    }
    return 0;
}
