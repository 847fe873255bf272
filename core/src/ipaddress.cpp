// STUB (owned by the XML stage): replaced by the real address parser.
#include <rua/model.hpp>

namespace rua {

std::optional<IpAddress> IpAddress::parse(std::string_view /*text*/) { return std::nullopt; }
std::string IpAddress::text() const { return {}; }

} // namespace rua
