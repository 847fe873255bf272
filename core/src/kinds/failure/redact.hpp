// What a failure report keeps under each Privacy setting (RFC 9991, Privacy
// Considerations): the masked copy the writer stores and the small ARF
// e-mail archived and quarantined instead of the message. Parsing never
// calls this: `ruactl parse` shows what the input says.
#pragma once

#include <rua/kinds/failure.hpp>

#include <string>
#include <string_view>

namespace rua::detail::failure {

// "john@example.com" -> "j***@example.com"; without '@' the whole text is
// a local part ("postmaster" -> "p***"); "" stays "".
std::string mask_address(std::string_view address);

// `text` with the local part of every address in it masked (free text such
// as Authentication-Results or Received).
std::string mask_text(std::string_view text);

// "[redacted: sha256 <first 16 hex> length N]" for the original's Subject.
std::string redacted_subject(const FailureOriginal& original);

// A copy of `report` holding what `privacy` keeps: under redacted, addresses
// masked, the Subject only as its hash and length, no body; under headers,
// no body; under full, everything (the body already bounded).
FailureReport kept_form(const FailureReport& report, Privacy privacy);

// The ARF e-mail behind FailureReport::private_form (redacted or headers).
std::string private_arf(const FailureReport& report, Privacy privacy);

} // namespace rua::detail::failure
