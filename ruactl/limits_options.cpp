// Turns --max-size into rua::Limits; the other bounds keep their defaults.
// Never loosens a bound the operator did not name.
#include "limits_options.hpp"

namespace ruactl {

std::vector<OptionSpec> limit_options() {
    return {{"--max-size", true, false}};
}

rua::Limits limits_from(const Args& args) {
    rua::Limits limits;
    if (auto size = args.value("--max-size")) {
        limits.max_message_bytes =
            static_cast<std::size_t>(parse_count("--max-size", *size, 1ULL << 32));
    }
    return limits;
}

} // namespace ruactl
