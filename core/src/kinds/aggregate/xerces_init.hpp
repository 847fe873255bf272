// The one guard for Xerces-C's process-wide initialisation. Every use of
// Xerces goes through ensure_xerces() first; nothing else may call
// XMLPlatformUtils::Initialize or Terminate.
#pragma once

namespace rua::detail {

// Initialises Xerces once per process (thread-safe); terminates it at exit.
// Throws rua::TryLater if Xerces cannot start (out of memory, no transcoder).
void ensure_xerces();

} // namespace rua::detail
