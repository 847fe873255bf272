// One-time Xerces-C initialisation, thread-safe through a function-local
// static, and its termination at exit. Every thread that parses is joined
// before exit (the milter's worker pool included), and each thread's
// reader is a thread_local that dies first; nothing may parse after exit.
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
}

} // namespace rua::detail
