// STUB (owned by the XML stage): replaced by the real JSON writer.
#include <rua/json.hpp>

namespace rua {

std::string to_json(const Report& /*report*/) { return "{}"; }
std::string json_quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

} // namespace rua
