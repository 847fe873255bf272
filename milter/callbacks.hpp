// The C-facing side of the filter: the smfiDesc handed to smfi_register,
// whose functions forward to one process-wide Filter. The Filter must be
// installed before smfi_main starts and outlive it.
#pragma once

#include "filter.hpp"

#include <libmilter/mfapi.h>

namespace rua::milter {

// Points the callbacks at `filter` (nullptr: every callback answers tempfail).
void install_filter(Filter* filter) noexcept;

// The registration record: name "rua-milter", may add headers and delete
// recipients, negotiates SMFIP_HDR_LEADSPC.
smfiDesc make_description() noexcept;

} // namespace rua::milter
