// What the milter asks of the MTA at option negotiation: only flags the MTA
// offered, CONNECT, HELO, MAIL and unknown commands skipped, header values
// with their leading space, and the two actions it uses.
#include "callbacks.hpp"

#include <doctest/doctest.h>

using rua::milter::negotiate;

TEST_CASE("offered everything (as Postfix 3.7 is), CONNECT, HELO and MAIL are skipped") {
    const auto granted = negotiate(0x1FF, 0x1FFFFF);
    CHECK(granted.actions == (SMFIF_ADDHDRS | SMFIF_DELRCPT));
    CHECK(granted.steps ==
          (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL | SMFIP_NOUNKNOWN | SMFIP_HDR_LEADSPC));
    // RCPT decides, DATA accepts other mail, and a rua message's header and
    // body answers carry 552 and 451: every one of them is still answered.
    CHECK((granted.steps &
           (SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOBODY |
            SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)) == 0);
}

TEST_CASE("an MTA that offers no step flags gets every step, as before") {
    const auto granted = negotiate(SMFIF_ADDHDRS | SMFIF_DELRCPT | SMFIF_CHGBODY, 0);
    CHECK(granted.actions == (SMFIF_ADDHDRS | SMFIF_DELRCPT));
    CHECK(granted.steps == 0);
}

TEST_CASE("only the skips an MTA offers are taken") {
    CHECK(negotiate(0, SMFIP_NOMAIL | SMFIP_NORCPT).steps == SMFIP_NOMAIL);
}
