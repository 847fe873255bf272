// ruactl-store runs every command itself: nothing to forward.
#include "commands.hpp"

namespace ruactl {

void save_arguments(int /*argc*/, char** /*argv*/) {}

} // namespace ruactl
