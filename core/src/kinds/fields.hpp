// A kind's field tables: one row per stored field, naming its SQL column,
// its JSON key and whether it is part of the content fingerprint, with one
// accessor. The SQL writer (INSERT column lists, COPY lines), the JSON form
// and the fingerprint all walk the same table, so adding a field is one
// edit here plus a migration. Must stay free of libpqxx: the parse path
// (JSON, fingerprint) uses it too.
#pragma once

#include <rua/model.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rua::detail {

// One value of one field. Text is viewed in the report (or owned when it is
// computed, like an address's canonical text); lists are text lists.
using FieldValue = std::variant<std::monostate, std::string_view, std::string, std::int64_t,
                                std::uint64_t, bool, const std::vector<std::string>*>;

inline FieldValue opt_value(const OptString& value) {
    return value ? FieldValue(std::string_view(*value)) : FieldValue();
}

// How a value is written as JSON. `number_text`: text holding a decimal
// number, printed bare; `raw_json`: text that already is JSON.
enum class JsonForm { plain, number_text, raw_json };

template <typename T> struct Field {
    const char* column;  // SQL column; nullptr when not stored
    const char* json;    // JSON key; nullptr when not printed
    bool fingerprint;    // part of the content fingerprint
    FieldValue (*get)(const T&);
    JsonForm json_form = JsonForm::plain;
};

template <typename T> using Fields = std::vector<Field<T>>;

// "a, b, c": the table's SQL columns, in order.
template <typename T> std::string column_list(const Fields<T>& fields) {
    std::string out;
    for (const auto& f : fields) {
        if (f.column != nullptr) {
            out += out.empty() ? "" : ", ";
            out += f.column;
        }
    }
    return out;
}

template <typename T> std::vector<std::string> column_names(const Fields<T>& fields) {
    std::vector<std::string> out;
    for (const auto& f : fields) {
        if (f.column != nullptr) {
            out.emplace_back(f.column);
        }
    }
    return out;
}

// --- JSON ------------------------------------------------------------------

// Appends `"key":` (with a comma unless first).
void json_key(std::string& out, std::string_view name, bool first = false);
// Appends one value: null, a quoted string (empty text is null), a number,
// true/false, or a list of strings (never null).
void json_value(std::string& out, const FieldValue& value, JsonForm form = JsonForm::plain);
// Appends `"k":v` for every field with a JSON key (comma-separated; a
// leading comma unless `first`).
template <typename T>
void json_fields(std::string& out, const Fields<T>& fields, const T& item, bool first) {
    for (const auto& f : fields) {
        if (f.json != nullptr) {
            json_key(out, f.json, first);
            first = false;
            json_value(out, f.get(item), f.json_form);
        }
    }
}

// --- fingerprint -----------------------------------------------------------

// The fixed, length-prefixed encoding behind every fingerprint: text as
// 's' + length + ';' + bytes, null as '-', numbers as digits + ';', lists
// as their size then their items.
class FingerprintEncoder {
public:
    void text(std::string_view value);
    void text(const OptString& value);
    void number(std::uint64_t value);
    void signed_number(std::int64_t value);
    void value(const FieldValue& value);
    std::string take() { return std::move(m_out); }

private:
    std::string m_out;
};

template <typename T>
void fingerprint_fields(FingerprintEncoder& e, const Fields<T>& fields, const T& item) {
    for (const auto& f : fields) {
        if (f.fingerprint) {
            e.value(f.get(item));
        }
    }
}

// --- COPY text format ------------------------------------------------------

// Appends one value in COPY's text format (\N for null, backslash escapes;
// a list as a PostgreSQL text[] literal).
void copy_value(std::string& out, const FieldValue& value);

template <typename T> void copy_fields(std::string& out, const Fields<T>& fields, const T& item) {
    for (const auto& f : fields) {
        if (f.column != nullptr) {
            out.push_back('\t');
            copy_value(out, f.get(item));
        }
    }
}

// Throws BadInput("database refused the report: NUL byte in <column>")
// when a text value of a stored field holds a NUL byte (PostgreSQL text
// cannot, and libpq would silently cut it).
template <typename T> void check_fields(const Fields<T>& fields, const T& item);
void check_value(const char* column, const FieldValue& value);
template <typename T> void check_fields(const Fields<T>& fields, const T& item) {
    for (const auto& f : fields) {
        if (f.column != nullptr) {
            check_value(f.column, f.get(item));
        }
    }
}

} // namespace rua::detail
