// The default behaviour of the Kind interface (kinds/kind.hpp).
#include "kinds/kind.hpp"

#include <stdexcept>
#include <string>

namespace rua::detail {

ReportPtr Kind::parse(Payload& /*payload*/, const Limits& /*limits*/) const {
    throw std::logic_error("report kind " + std::string(name()) +
                           " accepted a payload it cannot parse");
}

} // namespace rua::detail
