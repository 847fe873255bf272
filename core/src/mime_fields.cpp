// A fast reader for the three MIME header fields the walk needs, in their
// plain form (token/token; name=value or name="value"). vmime parsed every
// such header at about a third of the cost of a small report; this reads
// the common case by hand. It must never guess: whatever is not plainly
// simple (comments, escapes, encoded words, RFC 2231, 8-bit, duplicates)
// answers false and mime.cpp hands the fields to vmime as before.
#include "mime_fields.hpp"

#include "text.hpp"

#include <array>
#include <cstring>

namespace rua::detail {

namespace {

// RFC 2045 token characters.
bool is_token(char c) {
    if (c >= 'a' && c <= 'z') {
        return true;
    }
    if (c >= 'A' && c <= 'Z') {
        return true;
    }
    if (c >= '0' && c <= '9') {
        return true;
    }
    return c != '\0' && std::strchr("!#$%&'+-.^_`|~", c) != nullptr;
}

bool all_token(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    for (char c : text) {
        if (!is_token(c)) {
            return false;
        }
    }
    return true;
}

// One parameter of a field; `name` as written.
struct Param {
    std::string_view name;
    std::string_view value;
};

// Splits "main; a=b; c=\"d\"" into the main value and parameters. False
// on anything that is not plainly simple.
constexpr std::size_t k_max_params = 8;
using Params = std::array<Param, k_max_params>;

bool split_field(std::string_view value, std::string_view& main, Params& params,
                 std::size_t& count) {
    count = 0;
    const auto semi = value.find(';');
    main = trim(value.substr(0, semi));
    std::size_t pos = semi;
    while (pos != std::string_view::npos && pos < value.size()) {
        ++pos; // past ';'
        while (pos < value.size() && is_space(value[pos])) {
            ++pos;
        }
        if (pos == value.size()) {
            break; // a trailing ';'
        }
        const auto equals = value.find('=', pos);
        if (equals == std::string_view::npos) {
            return false;
        }
        const auto name = value.substr(pos, equals - pos);
        if (!all_token(name) || name.find('*') != std::string_view::npos) {
            return false; // RFC 2231, or white space before '='
        }
        pos = equals + 1;
        std::string_view param_value;
        if (pos < value.size() && value[pos] == '"') {
            const auto close = value.find('"', pos + 1);
            if (close == std::string_view::npos) {
                return false;
            }
            param_value = value.substr(pos + 1, close - pos - 1);
            pos = close + 1;
            while (pos < value.size() && is_space(value[pos])) {
                ++pos;
            }
            if (pos < value.size() && value[pos] != ';') {
                return false;
            }
            for (char c : param_value) {
                if (c == '\\' || c == '\r' || c == '\n' || c == '\t') {
                    return false;
                }
            }
        } else {
            const auto end = value.find(';', pos);
            param_value = trim(value.substr(pos, end == std::string_view::npos ? end : end - pos));
            if (param_value.empty() || param_value.front() == '"') {
                return false;
            }
            for (char c : param_value) {
                if (is_space(c) || c == '"') {
                    return false;
                }
            }
            pos = end;
        }
        if (param_value.find("=?") != std::string_view::npos) {
            return false; // an RFC 2047 encoded word: vmime decodes it
        }
        if (count == params.size()) {
            return false; // more parameters than a plain field has
        }
        params[count++] = Param{name, param_value};
    }
    return true;
}

// The value of parameter `name`; false when it appears twice.
bool find_param(const Params& params, std::size_t count, std::string_view name, OptString& out) {
    for (std::size_t i = 0; i < count; ++i) {
        if (iequals(params[i].name, name)) {
            if (out) {
                return false;
            }
            out = std::string(params[i].value);
        }
    }
    return true;
}

bool read_content_type(std::string_view value, RawLabels& out) {
    std::string_view main;
    Params params{};
    std::size_t count = 0;
    if (!split_field(value, main, params, count)) {
        return false;
    }
    const auto slash = main.find('/');
    if (slash == std::string_view::npos || !all_token(main.substr(0, slash)) ||
        !all_token(main.substr(slash + 1))) {
        return false;
    }
    out.type = lower(main.substr(0, slash));
    out.subtype = lower(main.substr(slash + 1));
    OptString boundary;
    if (!find_param(params, count, "boundary", boundary) ||
        !find_param(params, count, "name", out.type_name)) {
        return false;
    }
    if (boundary) {
        out.boundary = std::move(*boundary);
    }
    return true;
}

bool read_disposition(std::string_view value, RawLabels& out) {
    std::string_view main;
    Params params{};
    std::size_t count = 0;
    if (!split_field(value, main, params, count) || !all_token(main)) {
        return false;
    }
    return find_param(params, count, "filename", out.disposition_name);
}

bool read_encoding(std::string_view value, RawLabels& out) {
    const auto name = trim(value);
    if (!all_token(name)) {
        return false;
    }
    out.transfer_encoding = lower(name);
    return true;
}

bool starts_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

} // namespace

bool read_simple_fields(std::string_view fields, RawLabels& out) {
    bool seen_type = false;
    bool seen_disposition = false;
    bool seen_encoding = false;
    std::size_t pos = 0;
    while (pos < fields.size()) {
        std::size_t end = pos;
        do {
            const auto eol = fields.find('\n', end);
            end = eol == std::string_view::npos ? fields.size() : eol + 1;
        } while (end < fields.size() && (fields[end] == ' ' || fields[end] == '\t'));
        const auto field = fields.substr(pos, end - pos);
        pos = end;
        for (char c : field) {
            const auto byte = static_cast<unsigned char>(c);
            if (byte >= 0x80 || c == '(' || c == '\\' || (byte < 0x20 && !is_space(c))) {
                return false; // 8-bit, comments, escapes, control bytes: vmime's job
            }
        }
        constexpr std::string_view k_type = "content-type:";
        constexpr std::string_view k_disposition = "content-disposition:";
        constexpr std::string_view k_encoding = "content-transfer-encoding:";
        // The first field of each name counts (as with vmime's findField);
        // later ones must still be simple, or vmime decides.
        RawLabels scratch;
        if (starts_nocase(field, k_type)) {
            if (!read_content_type(field.substr(k_type.size()), seen_type ? scratch : out)) {
                return false;
            }
            seen_type = true;
        } else if (starts_nocase(field, k_disposition)) {
            if (!read_disposition(field.substr(k_disposition.size()),
                                  seen_disposition ? scratch : out)) {
                return false;
            }
            seen_disposition = true;
        } else if (starts_nocase(field, k_encoding)) {
            if (!read_encoding(field.substr(k_encoding.size()), seen_encoding ? scratch : out)) {
                return false;
            }
            seen_encoding = true;
        } else {
            return false;
        }
    }
    return true;
}

} // namespace rua::detail
