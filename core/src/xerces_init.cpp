// One-time Xerces-C initialisation: a function-local static whose
// construction C++ makes thread-safe, and whose destruction at exit
// terminates Xerces. Must never be re-initialised after exit begins.
#include "xerces_init.hpp"

#include <rua/errors.hpp>

#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLException.hpp>

#include <string>

namespace rua::detail {

namespace {

class XercesGuard {
public:
    XercesGuard() {
        try {
            xercesc::XMLPlatformUtils::Initialize();
        } catch (const xercesc::XMLException&) {
            throw TryLater("cannot initialise the XML parser (Xerces-C)");
        }
    }
    ~XercesGuard() { xercesc::XMLPlatformUtils::Terminate(); }
    XercesGuard(const XercesGuard&) = delete;
    XercesGuard& operator=(const XercesGuard&) = delete;
};

} // namespace

void ensure_xerces() {
    // If construction throws, the next call tries again (C++ static rules).
    static const XercesGuard guard;
    (void)guard;
}

} // namespace rua::detail
