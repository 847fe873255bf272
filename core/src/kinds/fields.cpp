// The shared walkers of the field tables (fields.hpp): JSON values, the
// fingerprint encoding and the values INSERT and COPY send. The fingerprint
// encoding is stable across releases: changing it turns every re-sent old
// report into a conflict.
#include "kinds/fields.hpp"

#include <rua/errors.hpp>
#include <rua/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace rua::detail {

namespace {

template <typename... F> struct Overload : F... { using F::operator()...; };
template <typename... F> Overload(F...) -> Overload<F...>;

} // namespace

void json_key(std::string& out, std::string_view name, bool first) {
    // One append per key (keys are short names from the field tables):
    // four small appends cost more than the key itself.
    std::array<char, 64> buf{};
    if (name.size() + 4 > buf.size()) {
        out += first ? "\"" : ",\"";
        out += name;
        out += "\":";
        return;
    }
    char* put = buf.data();
    if (!first) {
        *put++ = ',';
    }
    *put++ = '"';
    put = std::copy(name.begin(), name.end(), put);
    *put++ = '"';
    *put++ = ':';
    out.append(buf.data(), static_cast<std::size_t>(put - buf.data()));
}

void json_value(std::string& out, const FieldValue& value, JsonForm form) {
    const auto text = [&](std::string_view s) {
        if (s.empty()) {
            out += "null";
        } else if (form == JsonForm::number_text) {
            out += s;
        } else {
            json_append_quoted(out, s);
        }
    };
    const auto number = [&](auto n) {
        const fmt::format_int digits(n);
        out.append(digits.data(), digits.size());
    };
    std::visit(
        Overload{[&](std::monostate) { out += "null"; }, [&](std::string_view s) { text(s); },
                 [&](const std::string& s) { text(s); }, [&](std::int64_t n) { number(n); },
                 [&](std::uint64_t n) { number(n); }, [&](bool b) { out += b ? "true" : "false"; },
                 [&](const std::vector<std::string>* items) {
                     out += '[';
                     for (std::size_t i = 0; i < items->size(); ++i) {
                         if (i > 0) {
                             out += ',';
                         }
                         json_append_quoted(out, (*items)[i]);
                     }
                     out += ']';
                 }},
        value);
}

void json_source_and_warnings(std::string& out, const Report& report) {
    const ReportSource& source = report.source;
    json_key(out, "authenticity");
    json_value(out, std::string_view(to_string(report.authenticity)));
    json_key(out, "authserv_id");
    json_value(out, std::string_view(report.authserv_id));
    json_key(out, "source");
    json_key(out += '{', "file", true);
    json_value(out, std::string_view(source.file));
    json_key(out, "part");
    out += fmt::format_int(source.part).str();
    json_key(out, "filename");
    json_value(out, opt_value(source.filename));
    json_key(out, "content_type");
    json_value(out, opt_value(source.content_type));
    json_key(out, "compression");
    json_value(out, std::string_view(source.compression));
    out += '}';
    json_key(out, "warnings");
    json_value(out, &report.warnings);
}

void FingerprintEncoder::text(std::string_view value) {
    m_out.push_back('s');
    number(value.size());
    m_out += value;
}

void FingerprintEncoder::text(const OptString& value) {
    if (!value) {
        m_out.push_back('-');
        return;
    }
    text(std::string_view(*value));
}

void FingerprintEncoder::number(std::uint64_t value) {
    m_out += std::to_string(value);
    m_out.push_back(';');
}

void FingerprintEncoder::signed_number(std::int64_t value) {
    m_out += std::to_string(value);
    m_out.push_back(';');
}

void FingerprintEncoder::value(const FieldValue& value) {
    std::visit(Overload{[&](std::monostate) { m_out.push_back('-'); },
                        [&](std::string_view s) { text(s); },
                        [&](const std::string& s) { text(std::string_view(s)); },
                        [&](std::int64_t n) { signed_number(n); },
                        [&](std::uint64_t n) { number(n); }, [&](bool b) { number(b ? 1 : 0); },
                        [&](const std::vector<std::string>* items) {
                            number(items->size());
                            for (const auto& item : *items) {
                                text(std::string_view(item));
                            }
                        }},
               value);
}

namespace {

// A text[] literal: every element double-quoted, \ and " escaped.
std::string array_literal(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& item : items) {
        if (out.size() > 1) {
            out.push_back(',');
        }
        out.push_back('"');
        for (const char c : item) {
            if (c == '"' || c == '\\') {
                out.push_back('\\');
            }
            out.push_back(c);
        }
        out.push_back('"');
    }
    out.push_back('}');
    return out;
}

void stored_json_text(std::string& out, std::string_view value) {
    static constexpr char k_hex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (u < 0x20) {
            out += "\\u00";
            out.push_back(k_hex[u >> 4]);
            out.push_back(k_hex[u & 0xf]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

} // namespace

void stored_json_value(std::string& out, const FieldValue& value) {
    std::visit(Overload{[&](std::monostate) { out += "null"; },
                        [&](std::string_view s) { stored_json_text(out, s); },
                        [&](const std::string& s) { stored_json_text(out, s); },
                        [&](std::int64_t n) { out += std::to_string(n); },
                        [&](std::uint64_t n) { out += std::to_string(n); },
                        [&](bool b) { out += b ? "true" : "false"; },
                        [&](const std::vector<std::string>* items) {
                            out += '[';
                            for (std::size_t i = 0; i < items->size(); ++i) {
                                out += i > 0 ? "," : "";
                                stored_json_text(out, (*items)[i]);
                            }
                            out += ']';
                        }},
               value);
}

OptString param_text(const FieldValue& value) {
    return std::visit(Overload{[](std::monostate) { return OptString(); },
                               [](std::string_view s) { return OptString(std::string(s)); },
                               [](const std::string& s) { return OptString(s); },
                               [](std::int64_t n) { return OptString(std::to_string(n)); },
                               [](std::uint64_t n) { return OptString(std::to_string(n)); },
                               [](bool b) { return OptString(b ? "t" : "f"); },
                               [](const std::vector<std::string>* items) {
                                   return OptString(array_literal(*items));
                               }},
                      value);
}

void copy_text(std::string& line, std::string_view text) {
    // The bytes escaped by name, and their names.
    static constexpr std::string_view k_named = "\\\t\n\r\b\f\v";
    static constexpr std::string_view k_names = "\\tnrbfv";
    std::size_t plain = 0; // start of the bytes not yet appended
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u >= 0x20 && u != 0x7F && u != '\\') {
            continue;
        }
        line.append(text.data() + plain, i - plain);
        plain = i + 1;
        line.push_back('\\');
        if (const auto named = k_named.find(text[i]); named != std::string_view::npos) {
            line.push_back(k_names[named]);
        } else {
            line.push_back(static_cast<char>('0' + (u >> 6)));
            line.push_back(static_cast<char>('0' + ((u >> 3) & 7)));
            line.push_back(static_cast<char>('0' + (u & 7)));
        }
    }
    line.append(text.data() + plain, text.size() - plain);
}

namespace {

template <typename N> void copy_number(std::string& line, N n) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
    line.append(digits.data(), end);
}

} // namespace

void copy_value(std::string& line, const FieldValue& value, std::string& scratch) {
    std::visit(Overload{[&](std::monostate) { line += "\\N"; },
                        [&](std::string_view s) { copy_text(line, s); },
                        [&](const std::string& s) { copy_text(line, s); },
                        [&](std::int64_t n) { copy_number(line, n); },
                        [&](std::uint64_t n) { copy_number(line, n); },
                        [&](bool b) { line.push_back(b ? 't' : 'f'); },
                        [&](const std::vector<std::string>* items) {
                            scratch = array_literal(*items);
                            copy_text(line, scratch);
                        }},
               value);
}

void check_value(const char* column, const FieldValue& value) {
    const auto check = [&](std::string_view s) {
        if (s.find('\0') != std::string_view::npos) {
            throw BadInput(std::string("database refused the report: NUL byte in ") + column);
        }
    };
    std::visit(Overload{[&](std::string_view s) { check(s); },
                        [&](const std::string& s) { check(s); },
                        [&](const std::vector<std::string>* items) {
                            for (const auto& item : *items) {
                                check(item);
                            }
                        },
                        [](const auto&) {}},
               value);
}

} // namespace rua::detail
