// Credential redaction (redact.hpp). A scanner over bytes, not a conninfo
// parser: it errs towards hiding too much, because a malformed connection
// string is exactly the one that reaches an error message. It must never
// let a password through that libpq itself would have taken as one.
#include "rua/redact.hpp"

#include "text.hpp"

#include <array>

namespace rua {
namespace {

constexpr std::string_view k_mask = "***";
constexpr std::array<std::string_view, 2> k_schemes = {"postgresql://", "postgres://"};
constexpr std::string_view k_password_key = "password";

bool is_quote(char c) {
    return c == '"' || c == '\'';
}

// The scheme at `pos` (case-insensitive), or empty.
std::string_view scheme_at(std::string_view text, std::size_t pos) {
    for (const std::string_view scheme : k_schemes) {
        if (detail::istarts_with(text.substr(pos), scheme)) {
            return scheme;
        }
    }
    return {};
}

// When a password keyword starts at `pos` ("password", "sslpassword", any
// case, then optional blanks and '='), the position just after the '=';
// npos otherwise.
std::size_t password_value_start(std::string_view text, std::size_t pos) {
    if (!detail::istarts_with(text.substr(pos), k_password_key)) {
        return std::string_view::npos;
    }
    std::size_t i = pos + k_password_key.size();
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
        ++i;
    }
    if (i >= text.size() || text[i] != '=') {
        return std::string_view::npos;
    }
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
        ++i;
    }
    return i;
}

// A quote that closes the text around a plain value ("... password=x"):
// followed by the end, a blank or punctuation. A quote inside a password
// is followed by more of it.
bool closing_quote(std::string_view text, std::size_t i) {
    if (!is_quote(text[i])) {
        return false;
    }
    if (i + 1 == text.size()) {
        return true;
    }
    const char next = text[i + 1];
    return detail::is_space(next) || next == ',' || next == ';' || next == ':' || next == ')' ||
           next == '.';
}

// Appends the masked value starting at `pos` and returns where it ends. A
// single-quoted value runs to its unescaped closing quote; a plain one to
// white space, to `closer` (the quote around the whole text, if any) or to
// one of `stops`.
std::size_t mask_value(std::string_view text, std::size_t pos, char closer, std::string_view stops,
                       std::string& out) {
    if (pos < text.size() && text[pos] == '\'') {
        std::size_t i = pos + 1;
        while (i < text.size() && text[i] != '\'') {
            i += text[i] == '\\' ? 2 : 1;
        }
        out += '\'';
        out += k_mask;
        out += '\'';
        return i < text.size() ? i + 1 : text.size();
    }
    std::size_t i = pos;
    while (i < text.size() && !detail::is_space(text[i]) && text[i] != closer &&
           stops.find(text[i]) == std::string_view::npos && !closing_quote(text, i)) {
        ++i;
    }
    if (i > pos) {
        out += k_mask;
    }
    return i;
}

// Appends the URI `uri` (from its scheme to its end) with its secrets masked.
void redact_uri(std::string_view uri, std::size_t scheme_size, std::string& out) {
    out += uri.substr(0, scheme_size);
    std::size_t rest = scheme_size;
    const std::size_t at = uri.rfind('@');
    if (at != std::string_view::npos && at >= scheme_size) {
        const std::string_view userinfo = uri.substr(scheme_size, at - scheme_size);
        const std::size_t colon = userinfo.find(':');
        if (colon == std::string_view::npos) {
            out += userinfo;
        } else {
            out += userinfo.substr(0, colon + 1);
            out += k_mask;
        }
        out += '@';
        rest = at + 1;
    }
    const std::size_t query = uri.find('?', rest);
    if (query == std::string_view::npos) {
        out += uri.substr(rest);
        return;
    }
    out += uri.substr(rest, query - rest);
    std::size_t i = query;
    while (i < uri.size()) {
        const char c = uri[i];
        out += c;
        ++i;
        if (c != '?' && c != '&') {
            continue;
        }
        // A parameter name ending in "password" (password, sslpassword).
        std::size_t name_end = i;
        while (name_end < uri.size() && uri[name_end] != '=' && uri[name_end] != '&' &&
               uri[name_end] != '#') {
            ++name_end;
        }
        const std::string_view name = uri.substr(i, name_end - i);
        if (name_end < uri.size() && uri[name_end] == '=' && name.size() >= k_password_key.size() &&
            detail::iequals(name.substr(name.size() - k_password_key.size()), k_password_key)) {
            out += uri.substr(i, name_end + 1 - i);
            i = mask_value(uri, name_end + 1, '\0', "&#", out);
        }
    }
}

} // namespace

std::string redact_credentials(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::string_view scheme = scheme_at(text, i);
        if (!scheme.empty()) {
            // A quoted URI ends at its closing quote, so a password with
            // blanks (which libpq echoes back in quotes) is hidden whole.
            const char closer = i > 0 && is_quote(text[i - 1]) ? text[i - 1] : '\0';
            std::size_t end = i + scheme.size();
            while (end < text.size() &&
                   (closer != '\0' ? text[end] != closer : !detail::is_space(text[end]))) {
                ++end;
            }
            redact_uri(text.substr(i, end - i), scheme.size(), out);
            i = end;
            continue;
        }
        const std::size_t value = password_value_start(text, i);
        if (value != std::string_view::npos) {
            out += text.substr(i, value - i);
            const char closer = i > 0 && is_quote(text[i - 1]) ? text[i - 1] : '\0';
            i = mask_value(text, value, closer, {}, out);
            continue;
        }
        out += text[i];
        ++i;
    }
    return out;
}

} // namespace rua
