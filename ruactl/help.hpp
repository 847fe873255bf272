// ruactl's manual pages: one per command, printed by `ruactl help CMD`,
// `ruactl CMD --help` and `ruactl --help`. Text only; never runs anything.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ruactl {

// The page for `topic` (a command word such as "import" or "rua"; "" or
// "ruactl" gives the overview), or nullopt when there is no such page.
std::optional<std::string> help_page(std::string_view topic);

// "try 'ruactl help import'": the hint that follows a usage error.
std::string usage_hint(std::string_view topic);

} // namespace ruactl
