// CopyRows (kinds/store_copy.hpp) through a real COPY: text with every ASCII
// control byte, backslashes and UTF-8 comes back byte for byte, as do nulls,
// numbers and text lists, across several sends of its buffer.
#include "db/db_fixture.hpp"
#include "kinds/store_copy.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using rua::detail::FieldValue;
using rua::test::ScratchDb;

// Every byte from 0x01 to 0x7f, then some UTF-8 (NUL cannot be in text).
std::string awkward_text() {
    std::string text;
    for (int c = 1; c < 0x80; ++c) {
        text.push_back(static_cast<char>(c));
    }
    return text + "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xab \\N";
}

} // namespace

TEST_CASE("CopyRows stores every row and field exactly as given") {
    ScratchDb db;
    db.exec("CREATE TABLE copied (n bigint, body text, tags text[], note text)");
    const std::string text = awkward_text();
    const std::vector<std::string> tags = {"a \"b\"", "c\\d", "e\tf", ""};
    // Rows of about 300 bytes: 3,000 of them fill the 256 KiB buffer 3 times.
    constexpr std::uint64_t k_rows = 3000;
    {
        pqxx::connection conn(db.url());
        pqxx::work tx(conn);
        rua::detail::CopyRows rows(tx, "copied", {"n", "body", "tags", "note"});
        for (std::uint64_t i = 0; i < k_rows; ++i) {
            rows.number(i).text(text).value(FieldValue(&tags));
            rows.value(i % 2 == 0 ? FieldValue() : FieldValue(std::string_view(""))).end_row();
        }
        rows.complete();
        tx.commit();
    }
    CHECK(db.scalar("SELECT count(*) || ' ' || min(n) || ' ' || max(n) FROM copied") ==
          "3000 0 2999");
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    const auto bodies = tx.exec_params("SELECT count(*) FROM copied WHERE body = $1", text);
    CHECK(bodies[0][0].as<std::int64_t>() == 3000);
    CHECK(db.scalar("SELECT count(*) FROM copied WHERE tags = ARRAY['a \"b\"', 'c\\d', "
                    "E'e\\tf', '']") == "3000");
    CHECK(db.scalar("SELECT count(*) FILTER (WHERE note IS NULL) || ' ' || "
                    "count(*) FILTER (WHERE note = '') FROM copied") == "1500 1500");
}

TEST_CASE("CopyRows refuses to end a COPY in the middle of a row") {
    ScratchDb db;
    db.exec("CREATE TABLE copied (a text, b text)");
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    rua::detail::CopyRows rows(tx, "copied", {"a", "b"});
    rows.text("only one");
    CHECK_THROWS_WITH_AS(rows.complete(), "CopyRows::complete: a row was not ended",
                         std::logic_error);
}
