// One-time Xerces-C initialisation, thread-safe through a function-local
// static. Xerces is deliberately never terminated: the milter's detached
// worker threads and their per-thread readers may still run while the main
// thread exits, and must never see a terminated Xerces. The OS reclaims it.
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
    XercesGuard(const XercesGuard&) = delete;
    XercesGuard& operator=(const XercesGuard&) = delete;
};

} // namespace

void ensure_xerces() {
    // If construction throws, the next call tries again (C++ static rules).
    static const auto* guard = new XercesGuard; // never deleted: see above
    (void)guard;
}

} // namespace rua::detail
