// The RFC 8601 Authentication-Results parser: one field value in, its
// authserv-id, version and resinfo out. Sender text: every loop advances,
// comments nest to a fixed depth, and the value, results and properties are
// bounded, so hostile input costs at most linear time and bounded memory.
#include "text.hpp"

#include <rua/authres.hpp>

namespace rua {

const std::string* AuthMethodResult::property(std::string_view name) const {
    for (const auto& [key, value] : properties) {
        if (key == name) {
            return &value;
        }
    }
    return nullptr;
}

namespace {

// What ends a bare word: white space, comments, quotes and the separators
// of the grammar. '.', '/', '@' stay inside words (domains, addresses,
// "dkim/1", "header.d"); they are split afterwards.
bool ends_word(char c) {
    return detail::is_space(c) || c == '(' || c == ')' || c == '"' || c == ';' || c == '=';
}

bool is_control(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && !detail::is_space(c)) || byte == 0x7f;
}

class Cursor {
public:
    explicit Cursor(std::string_view text) : m_text(text) {}

    bool failed() const { return m_failed; }
    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
    void advance() { ++m_pos; }

    // White space and (nested) comments; a comment left open fails.
    void skip_cfws() {
        while (!at_end() && !m_failed) {
            const char c = m_text[m_pos];
            if (detail::is_space(c)) {
                ++m_pos;
            } else if (c == '(') {
                skip_comment();
            } else {
                return;
            }
        }
    }

    // A bare word or a quoted string, unquoted; empty (and failed for a
    // bad quoted string) when there is none.
    std::string value() {
        if (peek() == '"') {
            return quoted();
        }
        const std::size_t start = m_pos;
        while (!at_end() && !ends_word(m_text[m_pos])) {
            ++m_pos;
        }
        return std::string(m_text.substr(start, m_pos - start));
    }

private:
    void skip_comment() {
        int depth = 0;
        while (!at_end()) {
            const char c = m_text[m_pos++];
            if (c == '\\') {
                if (at_end()) {
                    break;
                }
                ++m_pos;
            } else if (c == '(') {
                if (++depth > k_authres_max_comment_depth) {
                    break;
                }
            } else if (c == ')') {
                if (--depth == 0) {
                    return;
                }
            }
        }
        m_failed = true; // unterminated or too deep
    }

    std::string quoted() {
        std::string out;
        ++m_pos; // the opening quote
        while (!at_end()) {
            const char c = m_text[m_pos++];
            if (c == '"') {
                return out;
            }
            if (c == '\\') {
                if (at_end()) {
                    break;
                }
                out += m_text[m_pos++];
            } else {
                out += c;
            }
        }
        m_failed = true;
        return {};
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    bool m_failed = false;
};

// "dkim/1" -> "dkim"; false for an empty method or version.
bool method_name(const std::string& word, std::string& method) {
    const auto slash = word.find('/');
    method = detail::lower(word.substr(0, slash));
    if (slash != std::string::npos && slash + 1 == word.size()) {
        return false;
    }
    return !method.empty();
}

// The properties after "method=result", up to the next ';' or the end.
bool parse_properties(Cursor& in, AuthMethodResult& out) {
    for (;;) {
        in.skip_cfws();
        if (in.failed()) {
            return false;
        }
        if (in.at_end() || in.peek() == ';') {
            return true;
        }
        const std::string name = detail::lower(in.value());
        if (name.empty() || in.failed()) {
            return false;
        }
        in.skip_cfws();
        if (in.peek() != '=') {
            return false;
        }
        in.advance();
        in.skip_cfws();
        std::string value = in.value();
        if (in.failed()) {
            return false;
        }
        if (name == "reason") {
            out.reason = std::move(value);
        } else {
            if (out.properties.size() >= k_authres_max_properties) {
                return false;
            }
            out.properties.emplace_back(name, std::move(value));
        }
    }
}

} // namespace

std::optional<AuthResults> parse_authentication_results(std::string_view value) {
    if (value.size() > k_authres_max_bytes) {
        return std::nullopt;
    }
    for (char c : value) {
        if (is_control(c)) {
            return std::nullopt;
        }
    }
    Cursor in(value);
    AuthResults out;
    in.skip_cfws();
    out.authserv_id = detail::lower(in.value());
    if (out.authserv_id.empty() || in.failed()) {
        return std::nullopt;
    }
    in.skip_cfws();
    if (!in.at_end() && in.peek() != ';') {
        // authres-version: digits only, and a number we can hold.
        const std::string version = in.value();
        if (version.empty() || version.size() > 9 ||
            version.find_first_not_of("0123456789") != std::string::npos) {
            return std::nullopt;
        }
        out.version = static_cast<std::uint32_t>(std::stoul(version));
        in.skip_cfws();
    }
    bool none = false;
    while (!in.failed() && !in.at_end()) {
        if (in.peek() != ';' || none) {
            return std::nullopt;
        }
        in.advance();
        in.skip_cfws();
        if (in.at_end()) {
            break; // a trailing ';' is common and harmless
        }
        const std::string word = in.value();
        in.skip_cfws();
        if (in.failed()) {
            return std::nullopt;
        }
        if (in.peek() != '=') {
            // no-result: "; none", alone.
            if (!detail::iequals(word, "none") || !out.results.empty()) {
                return std::nullopt;
            }
            none = true;
            continue;
        }
        in.advance();
        in.skip_cfws();
        AuthMethodResult result;
        if (!method_name(word, result.method)) {
            return std::nullopt;
        }
        result.result = detail::lower(in.value());
        if (result.result.empty() || in.failed() || out.results.size() >= k_authres_max_results ||
            !parse_properties(in, result)) {
            return std::nullopt;
        }
        out.results.push_back(std::move(result));
    }
    if (in.failed()) {
        return std::nullopt;
    }
    return out;
}

} // namespace rua
