// Turns --max-size into rua::Limits (the other bounds keep their defaults)
// and --failure-privacy into rua::Privacy.
// Never loosens a bound the operator did not name.
#include "limits_options.hpp"

#include <fmt/format.h>

namespace ruactl {

std::vector<OptionSpec> limit_options() {
    return {{"--max-size", true, false}, {"--failure-privacy", true, false}};
}

rua::Limits limits_from(const Args& args) {
    rua::Limits limits;
    if (auto size = args.value("--max-size")) {
        limits.max_message_bytes =
            static_cast<std::size_t>(parse_count("--max-size", *size, 1ULL << 32));
    }
    return limits;
}

rua::Privacy privacy_from(const Args& args) {
    const auto word = args.value("--failure-privacy");
    if (!word) {
        return rua::Privacy::redacted;
    }
    for (auto privacy : {rua::Privacy::redacted, rua::Privacy::headers, rua::Privacy::full}) {
        if (*word == rua::to_string(privacy)) {
            return privacy;
        }
    }
    throw UsageError(
        fmt::format("invalid --failure-privacy '{}' (redacted, headers or full)", *word));
}

} // namespace ruactl
