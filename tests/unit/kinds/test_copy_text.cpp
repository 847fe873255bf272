// COPY's text format as the store writes it (kinds/fields.hpp copy_text,
// copy_value, copy_fields): every escape, null, numbers, lists and a field
// table's row. tests/db/test_copy_rows.cpp sends the same through a real
// COPY and reads it back.
#include "kinds/fields.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

using rua::detail::copy_text;
using rua::detail::copy_value;
using rua::detail::FieldValue;

std::string copied(std::string_view text) {
    std::string line = "x";
    copy_text(line, text);
    return line;
}

std::string copied_value(const FieldValue& value) {
    std::string line;
    std::string scratch = "left over";
    copy_value(line, value, scratch);
    return line;
}

struct Item {
    std::string name;
    std::vector<std::string> tags;
    std::uint64_t count = 0;
};

} // namespace

TEST_CASE("copy_text escapes backslash and control bytes and keeps the rest") {
    CHECK(copied("") == "x");
    CHECK(copied("plain text, \"quoted\" {a,b}") == "xplain text, \"quoted\" {a,b}");
    CHECK(copied("a\\b") == "xa\\\\b");
    CHECK(copied("\t\n\r\b\f\v") == "x\\t\\n\\r\\b\\f\\v");
    CHECK(copied(std::string_view("\0\x01\x1f\x7f", 4)) == "x\\000\\001\\037\\177");
    // UTF-8 (and any byte from 0x80) as it is: the server checks encodings.
    CHECK(copied("caf\xc3\xa9 \xe2\x82\xac") == "xcaf\xc3\xa9 \xe2\x82\xac");
    CHECK(copied("\\N") == "x\\\\N");
    CHECK(copied("end\\") == "xend\\\\");
}

TEST_CASE("copy_value writes null, text, numbers, booleans and text lists") {
    CHECK(copied_value(FieldValue()) == "\\N");
    CHECK(copied_value(FieldValue(std::string_view("a\tb"))) == "a\\tb");
    CHECK(copied_value(FieldValue(std::string("owned"))) == "owned");
    CHECK(copied_value(FieldValue(std::string_view())) == "");
    CHECK(copied_value(FieldValue(std::int64_t{-42})) == "-42");
    CHECK(copied_value(FieldValue(std::numeric_limits<std::int64_t>::min())) ==
          "-9223372036854775808");
    CHECK(copied_value(FieldValue(std::numeric_limits<std::uint64_t>::max())) ==
          "18446744073709551615");
    CHECK(copied_value(FieldValue(true)) == "t");
    CHECK(copied_value(FieldValue(false)) == "f");
    const std::vector<std::string> list = {"a \"b\"", "c\\d", "e\nf"};
    // The text[] literal (quotes and backslashes escaped in it), then COPY's
    // escapes on top.
    CHECK(copied_value(FieldValue(&list)) == "{\"a \\\\\"b\\\\\"\",\"c\\\\\\\\d\",\"e\\nf\"}");
    const std::vector<std::string> none;
    CHECK(copied_value(FieldValue(&none)) == "{}");
}

TEST_CASE("copy_fields writes the stored fields in column order, each after a tab") {
    rua::detail::Fields<Item> fields;
    rua::detail::Field<Item> name;
    name.column = "name";
    name.get = [](const Item& i) { return FieldValue(std::string_view(i.name)); };
    fields.push_back(name);
    rua::detail::Field<Item> shown; // printed, not stored
    shown.json = "shown";
    shown.get = [](const Item& /*unused*/) { return FieldValue(std::string_view("no")); };
    fields.push_back(shown);
    rua::detail::Field<Item> tags;
    tags.column = "tags";
    tags.list_stored = [](std::string& out, const Item& i) {
        out += "[";
        for (const auto& t : i.tags) {
            out += (out.size() > 1 ? ",\"" : "\"") + t + "\"";
        }
        out += "]";
    };
    fields.push_back(tags);
    rua::detail::Field<Item> count;
    count.column = "count";
    count.get = [](const Item& i) { return FieldValue(i.count); };
    fields.push_back(count);

    const Item item{"x\\y", {"p", "q\\"}, 7};
    std::string line = "1";
    std::string scratch;
    rua::detail::copy_fields(line, fields, item, scratch);
    CHECK(line == "1\tx\\\\y\t[\"p\",\"q\\\\\"]\t7");
}
