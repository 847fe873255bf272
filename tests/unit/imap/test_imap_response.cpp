// The IMAP responses `ruactl fetch` reads and the mailbox URL it accepts
// (core/src/imap/response.cpp, url.cpp): table-driven, no server.
#include "imap/response.hpp"

#include <rua/errors.hpp>
#include <rua/imap.hpp>

#include <doctest/doctest.h>

using namespace rua::imap;

TEST_CASE("FETCH lines give sequence number, UID, size and \\Deleted in any order") {
    const auto items =
        detail::parse_fetch("* 1 FETCH (UID 40 RFC822.SIZE 2741 FLAGS (\\Seen))\r\n"
                            "* 2 FETCH (FLAGS (\\Deleted \\Seen) RFC822.SIZE 10 UID 41)\r\n"
                            "* 3 FETCH (FLAGS ())\r\n"
                            "* 4 EXPUNGE\r\n"
                            "* 5 FETCH (UID 43)\r\n");
    REQUIRE(items.size() == 3);
    CHECK(items[0].seq == 1);
    CHECK(items[0].uid == 40);
    CHECK(items[0].size == 2741);
    CHECK_FALSE(items[0].deleted);
    CHECK(items[1].uid == 41);
    CHECK(items[1].size == 10);
    CHECK(items[1].deleted);
    CHECK(items[2].seq == 5);
    CHECK(items[2].uid == 43);
    CHECK(items[2].size == 0);
}

TEST_CASE("STATUS items are read after a quoted name with parentheses") {
    const std::string text = "* STATUS \"a (b)\" (MESSAGES 3 UIDVALIDITY 1796194898)\r\n";
    CHECK(detail::parse_status_item(text, "MESSAGES") == 3U);
    CHECK(detail::parse_status_item(text, "UIDVALIDITY") == 1796194898U);
    CHECK_FALSE(detail::parse_status_item(text, "UNSEEN"));
    CHECK_FALSE(detail::parse_status_item("* OK\r\n", "MESSAGES"));
}

TEST_CASE("capabilities, LIST, quoting and UID sets") {
    CHECK(detail::has_capability("* CAPABILITY IMAP4rev1 UIDPLUS MOVE\r\n", "move"));
    CHECK_FALSE(detail::has_capability("* CAPABILITY IMAP4rev1 MOVEX\r\n", "MOVE"));
    CHECK(detail::lists_something("* LIST (\\HasNoChildren) \".\" rua-done\r\n"));
    CHECK_FALSE(detail::lists_something(""));
    CHECK(detail::quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(detail::uid_set({1, 2, 3, 7, 9, 10}) == "1:3,7,9:10");
    CHECK(detail::printable("a\x1b[31mb\n") == "a?[31mb?");
}

TEST_CASE("mailbox URLs: defaults, ports, decoding") {
    const auto a = parse_mailbox_url("imaps://rua@imap.example.net/DMARC");
    CHECK(a.implicit_tls);
    CHECK(a.port == 993);
    CHECK(a.user == "rua");
    CHECK(a.host == "imap.example.net");
    CHECK(a.mailbox == "DMARC");
    const auto b = parse_mailbox_url("imap://dmarc%40example.net@localhost:1143");
    CHECK_FALSE(b.implicit_tls);
    CHECK(b.port == 1143);
    CHECK(b.user == "dmarc@example.net");
    CHECK(b.mailbox == "INBOX");
    CHECK(b.display() == "imap://dmarc@example.net@localhost:1143/INBOX");
    CHECK(parse_mailbox_url("imaps://u@h/Reports%20DMARC").mailbox == "Reports DMARC");
}

TEST_CASE("mailbox URLs that are refused") {
    CHECK_THROWS_WITH_AS(parse_mailbox_url("imaps://u:secret@h/INBOX"),
                         "a password in the URL is refused (every user can read a command "
                         "line): give it with --password-file FILE or in RUA_IMAP_PASSWORD",
                         rua::BadInput);
    CHECK_THROWS_WITH_AS(parse_mailbox_url("https://u@h/INBOX"),
                         "'https://u@h/INBOX': the scheme must be imaps:// or imap://",
                         rua::BadInput);
    CHECK_THROWS_WITH_AS(parse_mailbox_url("imaps://h/INBOX"),
                         "'imaps://h/INBOX': the URL names no user (imaps://USER@HOST/MAILBOX)",
                         rua::BadInput);
    CHECK_THROWS_AS(parse_mailbox_url("imaps://u@h/INBOX;UID=3"), rua::BadInput);
    CHECK_THROWS_AS(parse_mailbox_url("imaps://u@h/A%2A"), rua::BadInput);
    CHECK_THROWS_AS(parse_mailbox_url("imaps://u@h/%C3%A9"), rua::BadInput);
}
