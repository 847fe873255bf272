// The text of each ruactl manual page, section by section (help.cpp adds the
// shared global options, environment and exit statuses). Data only.
#pragma once

#include <vector>

namespace ruactl {

struct HelpPage {
    const char* topic;    // "" for the overview
    const char* name;     // one line
    const char* synopsis; // indented lines
    const char* description;
    const char* options;     // command options; the global ones follow
    const char* exit_status; // nullptr: the default statuses
    const char* examples;
};

const std::vector<HelpPage>& help_pages();

} // namespace ruactl
