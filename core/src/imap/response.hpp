// The few IMAP responses `ruactl fetch` reads, taken apart (FETCH of
// UIDs, sizes and flags, STATUS, CAPABILITY, LIST) and the quoting of a mailbox name in a
// command. Pure text functions, no I/O; bad server text yields nothing or
// throws rua::Error, never reads past the text.
#pragma once

#include <rua/imap.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua::imap::detail {

struct FetchItem {
    std::uint32_t seq = 0;
    std::uint32_t uid = 0;
    std::uint64_t size = 0; // 0 when not asked
    bool deleted = false;   // FLAGS holds \Deleted
};

// Each "* n FETCH (UID u RFC822.SIZE s FLAGS (...))" line with a UID,
// items in any order.
std::vector<FetchItem> parse_fetch(std::string_view text);

// The value of `item` (MESSAGES, UIDVALIDITY) in the "* STATUS ..." line.
std::optional<std::uint64_t> parse_status_item(std::string_view text, std::string_view item);

// True when a "* CAPABILITY" line names `capability` (case-insensitive).
bool has_capability(std::string_view text, std::string_view capability);

// True when a "* LIST" line is there (the name listed exists).
bool lists_something(std::string_view text);

// "name" with \ and " escaped: a quoted string (names are checked first).
std::string quoted(std::string_view name);

// A UID set "1:3,7" from sorted UIDs.
std::string uid_set(const std::vector<std::uint32_t>& uids);

// `text` with every byte outside printable ASCII made '?', at most 300
// bytes: server and library text in our messages.
std::string printable(std::string_view text);

} // namespace rua::imap::detail
