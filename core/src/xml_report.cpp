// STUB (owned by the XML stage): replaced by the real Xerces SAX2 parser.
#include "xml_report.hpp"

#include <rua/errors.hpp>

namespace rua::detail {

Report parse_report_xml(ByteSource& /*source*/, const Limits& /*limits*/) {
    throw BadInput("XML parser not built yet");
}

} // namespace rua::detail
