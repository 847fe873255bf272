// A kind's field tables: one row per stored field, naming its SQL column,
// its JSON key and whether it is part of the content fingerprint, with one
// accessor. The SQL writer (INSERT and COPY columns and values), the JSON form
// and the fingerprint all walk the same table, so adding a field is one
// edit here plus a migration. Must stay free of libpqxx: the parse path
// (JSON, fingerprint) uses it too.
#pragma once

#include <rua/model.hpp>

#include <cstdint>
#include <functional>
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
// number, printed bare.
enum class JsonForm { plain, number_text };

class FingerprintEncoder;

template <typename T> struct Field {
    const char* column = nullptr;            // SQL column; nullptr when not stored
    const char* json = nullptr;              // JSON key; nullptr when not printed
    bool fingerprint = false;                // part of the content fingerprint
    std::function<FieldValue(const T&)> get; // a scalar (or text list) field
    JsonForm json_form = JsonForm::plain;
    const char* sql_param = "{}"; // the INSERT value expression; {} is the parameter
    // A list of sub-objects (auth results, failure details) instead of a
    // scalar: its JSON array for the contract, its text for a json column,
    // its fingerprint encoding. Made by list_field() from the sub-table.
    std::function<void(std::string&, const T&)> list_json;
    std::function<void(std::string&, const T&)> list_stored;
    std::function<void(FingerprintEncoder&, const T&)> list_fingerprint;
    std::function<void(const T&)> list_check;
};

template <typename T> using Fields = std::vector<Field<T>>;

// The table's SQL columns, in order.
template <typename T> std::vector<std::string> column_names(const Fields<T>& fields) {
    std::vector<std::string> out;
    for (const auto& f : fields) {
        if (f.column != nullptr) {
            out.emplace_back(f.column);
        }
    }
    return out;
}

// "a, b, c": the same, for an INSERT.
template <typename T> std::string column_list(const Fields<T>& fields) {
    std::string out;
    for (const auto& column : column_names(fields)) {
        out += out.empty() ? "" : ", ";
        out += column;
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
            if (f.list_json) {
                f.list_json(out, item);
            } else {
                json_value(out, f.get(item), f.json_form);
            }
        }
    }
}

// Appends `[{...},{...}]`: every item's JSON fields.
template <typename Sub>
void json_array(std::string& out, const Fields<Sub>& fields, const std::vector<Sub>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += i > 0 ? ",{" : "{";
        json_fields(out, fields, items[i], true);
        out += '}';
    }
    out += ']';
}

// The text a json column keeps: keys as in the sub-table, values as sent
// (only quotes, backslashes and control characters escaped), so text the
// database cannot hold (invalid UTF-8) is refused there, not altered here.
void stored_json_value(std::string& out, const FieldValue& value);
template <typename Sub>
void stored_json_array(std::string& out, const Fields<Sub>& fields, const std::vector<Sub>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += i > 0 ? ",{" : "{";
        bool first = true;
        for (const auto& f : fields) {
            if (f.json != nullptr) {
                json_key(out, f.json, first);
                first = false;
                stored_json_value(out, f.get(items[i]));
            }
        }
        out += '}';
    }
    out += ']';
}

// Appends `,"authenticity":..,"authserv_id":..,"source":{...},"warnings":[...]`:
// the tail every kind's JSON
// object ends with (how the report was found, what the parser tolerated).
void json_source_and_warnings(std::string& out, const Report& report);

// `fields` with the two columns every kind's report row has beside its
// content (sql/0017): the authenticity of the message that carried the
// report and the authserv-id that decided it. Stored only: the JSON prints
// them in json_source_and_warnings, and they are never part of the
// fingerprint (the same report is the same whoever vouched for it).
template <typename T> Fields<T> with_authenticity(Fields<T> fields) {
    Field<T> verdict;
    verdict.column = "authenticity";
    verdict.get = [](const T& r) {
        return FieldValue(std::string_view(to_string(r.authenticity)));
    };
    fields.push_back(verdict);
    Field<T> id;
    id.column = "authserv_id";
    id.get = [](const T& r) {
        return r.authserv_id.empty() ? FieldValue() : FieldValue(std::string_view(r.authserv_id));
    };
    fields.push_back(id);
    return fields;
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
        if (!f.fingerprint) {
            continue;
        }
        if (f.list_fingerprint) {
            f.list_fingerprint(e, item);
        } else {
            e.value(f.get(item));
        }
    }
}

// --- INSERT and COPY values ----------------------------------------------

// The INSERT or COPY value of one field: its text, or nullopt for SQL NULL
// (numbers in decimal, booleans t/f, text lists as a text[] literal).
OptString param_text(const FieldValue& value);

// Appends every stored field's parameter text, in column order.
template <typename T>
void param_fields(std::vector<OptString>& out, const Fields<T>& fields, const T& item) {
    for (const auto& f : fields) {
        if (f.column == nullptr) {
            continue;
        }
        if (f.list_stored) {
            std::string json;
            f.list_stored(json, item);
            out.emplace_back(std::move(json));
        } else {
            out.push_back(param_text(f.get(item)));
        }
    }
}

// "$3, to_timestamp($4::bigint), ...": the value expressions of the stored
// fields, numbered from `first`; advances it.
template <typename T> std::string param_list(const Fields<T>& fields, int& first) {
    std::string out;
    for (const auto& f : fields) {
        if (f.column == nullptr) {
            continue;
        }
        std::string expr = f.sql_param;
        const auto at = expr.find("{}");
        expr.replace(at, 2, "$" + std::to_string(first++));
        out += out.empty() ? "" : ", ";
        out += expr;
    }
    return out;
}

void check_value(const char* column, const FieldValue& value);

// --- COPY text format -----------------------------------------------------

// Appends `text` as one field of COPY's text format: backslash, tab,
// newline, carriage return, backspace, form feed and vertical tab escaped by
// name, other control bytes as \ooo; every other byte as it is (the server
// checks the encoding, as it does for a parameter).
void copy_text(std::string& line, std::string_view text);
// Appends one value as a COPY field: \N for null, else param_text's text,
// escaped; `scratch` is reused space for a list's literal.
void copy_value(std::string& line, const FieldValue& value, std::string& scratch);
// Appends every stored field of `item` (param_fields' values, in column
// order), each after a tab.
template <typename T>
void copy_fields(std::string& line, const Fields<T>& fields, const T& item, std::string& scratch) {
    for (const auto& f : fields) {
        if (f.column == nullptr) {
            continue;
        }
        line.push_back('\t');
        if (f.list_stored) {
            scratch.clear();
            f.list_stored(scratch, item);
            copy_text(line, scratch);
        } else {
            copy_value(line, f.get(item), scratch);
        }
    }
}

// A field holding a list of sub-objects, described by the sub-table.
template <typename T, typename Sub>
Field<T> list_field(const char* column, const char* json,
                    std::function<const std::vector<Sub>&(const T&)> items,
                    const Fields<Sub>& sub) {
    Field<T> f;
    f.column = column;
    f.json = json;
    f.fingerprint = true;
    f.list_json = [items, &sub](std::string& out, const T& item) {
        json_array(out, sub, items(item));
    };
    f.list_stored = [items, &sub](std::string& out, const T& item) {
        stored_json_array(out, sub, items(item));
    };
    f.list_fingerprint = [items, &sub](FingerprintEncoder& e, const T& item) {
        const auto& list = items(item);
        e.number(list.size());
        for (const auto& element : list) {
            fingerprint_fields(e, sub, element);
        }
    };
    f.list_check = [items, &sub, column](const T& item) {
        for (const auto& element : items(item)) {
            for (const auto& sf : sub) {
                check_value(column, sf.get(element));
            }
        }
    };
    return f;
}

// Throws BadInput("database refused the report: NUL byte in <column>")
// when a text value of a stored field holds a NUL byte (PostgreSQL text
// cannot, and libpq would silently cut it).
template <typename T> void check_fields(const Fields<T>& fields, const T& item) {
    for (const auto& f : fields) {
        if (f.column == nullptr) {
            continue;
        }
        if (f.list_check) {
            f.list_check(item);
        } else {
            check_value(f.column, f.get(item));
        }
    }
}

} // namespace rua::detail
