// The C-facing side of the filter: the smfiDesc handed to smfi_register,
// whose functions forward to one process-wide Filter. The Filter must be
// installed before smfi_main starts and outlive it.
#pragma once

#include "filter.hpp"

#include <libmilter/mfapi.h>

namespace rua::milter {

// The steps the MTA may leave out: CONNECT, HELO and MAIL tell the filter
// nothing it uses (a message starts at its first RCPT and ends at end of
// message or abort), and unknown commands are none of its business. One
// more step is asked for: header values with their leading space.
constexpr unsigned long k_skipped_steps =
    SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL | SMFIP_NOUNKNOWN;
constexpr unsigned long k_wanted_steps = k_skipped_steps | SMFIP_HDR_LEADSPC;

// What the filter takes of an MTA's offer (SMFIC_OPTNEG): only flags the MTA
// offered, so an older MTA simply keeps sending every step.
struct Negotiation {
    unsigned long actions = 0;
    unsigned long steps = 0;
};
Negotiation negotiate(unsigned long offered_actions, unsigned long offered_steps) noexcept;

// Points the callbacks at `filter` (nullptr: every callback answers tempfail).
void install_filter(Filter* filter) noexcept;

// The registration record: name "rua-milter", may add headers and delete
// recipients, negotiates as negotiate() says.
smfiDesc make_description() noexcept;

} // namespace rua::milter
