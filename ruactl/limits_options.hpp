// The input bounds ruactl exposes as options (--max-size), shared by parse,
// import and quarantine reprocess. Everything else keeps the core's safe
// defaults.
#pragma once

#include "cli.hpp"

#include <rua/limits.hpp>
#include <rua/model.hpp>

#include <vector>

namespace ruactl {

// The option specs, to append to a command's own.
std::vector<OptionSpec> limit_options();

// Limits with the options applied. Throws UsageError for a bad value.
rua::Limits limits_from(const Args& args);

// --failure-privacy redacted|headers|full (default redacted), as the
// milter's FailureReportPrivacy. Throws UsageError for another word.
rua::Privacy privacy_from(const Args& args);

} // namespace ruactl
