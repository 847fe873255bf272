// Running as a daemon: bind the milter socket as root, fork into the
// background, write the pid file, drop privileges, start the backend and
// the reload thread, then hand over to smfi_main. Returns the exit status;
// must never run as root without UserID.
#pragma once

#include "config.hpp"
#include "options.hpp"

namespace rua::milter {

int run_daemon(const Options& options, const ConfigPtr& config);

} // namespace rua::milter
