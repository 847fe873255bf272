// The failure kind's header reader (headers.hpp). One pass over the block,
// each field's size checked as its lines are met (a 1 MB folded field is
// refused after 64 KiB, not after unfolding a megabyte), and addresses read
// by a small state machine that tolerates what real senders write.
#include "kinds/failure/headers.hpp"

#include "text.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

namespace rua::detail::failure {

std::size_t max_header_fields(const Limits& limits) {
    return limits.max_parts * 10;
}

namespace {

bool is_field_name_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 && c != ':';
}

// The length of a field name at the start of `line` when the line opens a
// field ("Name:"), else 0. Obsolete syntax allows white space before ':'.
std::size_t field_name_length(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && is_field_name_char(line[n])) {
        ++n;
    }
    if (n == 0) {
        return 0;
    }
    std::size_t colon = n;
    while (colon < line.size() && (line[colon] == ' ' || line[colon] == '\t')) {
        ++colon;
    }
    return colon < line.size() && line[colon] == ':' ? n : 0;
}

bool blank(std::string_view line) {
    return trim(line).empty();
}

} // namespace

std::vector<ArfField> read_fields(std::string_view block, const Limits& limits,
                                  std::string_view what, bool strict) {
    std::vector<ArfField> fields;
    const std::size_t max_fields = max_header_fields(limits);
    std::string_view name;
    std::size_t value_start = 0; // offset in block of the current value
    std::size_t value_end = 0;
    bool open = false;
    const auto close = [&]() {
        if (open) {
            fields.push_back(ArfField{std::string(name),
                                      unfold(block.substr(value_start, value_end - value_start))});
            open = false;
        }
    };
    std::size_t pos = 0;
    std::size_t line_number = 0;
    while (pos < block.size()) {
        const auto eol = block.find('\n', pos);
        const std::size_t next = eol == std::string_view::npos ? block.size() : eol + 1;
        const auto line = block.substr(pos, next - pos);
        ++line_number;
        if (blank(line)) {
            close();
        } else if (line[0] == ' ' || line[0] == '\t') {
            if (open) {
                value_end = next;
            } else if (strict) {
                throw BadInput(fmt::format("{}: line {} is not a header field", what, line_number));
            }
        } else if (const auto n = field_name_length(line); n > 0) {
            close();
            if (fields.size() >= max_fields) {
                throw LimitExceeded(
                    fmt::format("{} has more than {} header fields", what, max_fields));
            }
            name = line.substr(0, n);
            value_start = pos + line.find(':') + 1;
            value_end = next;
            open = true;
        } else if (strict) {
            throw BadInput(fmt::format("{}: line {} is not a header field", what, line_number));
        }
        if (open && value_end - value_start > limits.max_field_bytes) {
            throw LimitExceeded(fmt::format("{}: header field {} exceeds {} bytes", what,
                                            valid_utf8(name.substr(0, 64)),
                                            limits.max_field_bytes));
        }
        pos = next;
    }
    close();
    return fields;
}

bool opens_field(std::string_view line) {
    return field_name_length(line) > 0;
}

const ArfField* find_field(const std::vector<ArfField>& fields, std::string_view name) {
    for (const auto& f : fields) {
        if (iequals(f.name, name)) {
            return &f;
        }
    }
    return nullptr;
}

std::string content_type_param(std::string_view value, std::string_view name) {
    std::size_t pos = value.find(';');
    while (pos != std::string_view::npos && pos < value.size()) {
        ++pos;
        while (pos < value.size() && is_space(value[pos])) {
            ++pos;
        }
        const auto eq = value.find('=', pos);
        if (eq == std::string_view::npos) {
            return "";
        }
        const bool wanted = iequals(trim(value.substr(pos, eq - pos)), name);
        std::size_t i = eq + 1;
        while (i < value.size() && is_space(value[i])) {
            ++i;
        }
        std::string param;
        if (i < value.size() && value[i] == '"') {
            for (++i; i < value.size() && value[i] != '"'; ++i) {
                if (value[i] == '\\' && i + 1 < value.size()) {
                    ++i;
                }
                param.push_back(value[i]);
            }
            pos = value.find(';', i);
        } else {
            const auto end = value.find(';', i);
            param =
                std::string(trim(value.substr(i, end == std::string_view::npos ? end : end - i)));
            pos = end;
        }
        if (wanted) {
            return param;
        }
    }
    return "";
}

namespace {

// Splits an address list into mailboxes at top-level commas, dropping
// comments and remembering whether each had angle brackets.
struct Mailbox {
    std::string text;  // outside angle brackets, comments removed
    std::string angle; // inside the last <...>
    bool has_angle = false;
};

std::vector<Mailbox> split_mailboxes(std::string_view value, std::size_t max_items) {
    std::vector<Mailbox> out(1);
    int comment = 0;
    bool quoted = false;
    bool in_angle = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        auto& m = out.back();
        if (comment > 0) {
            if (c == '\\') {
                ++i;
            } else if (c == '(') {
                ++comment;
            } else if (c == ')') {
                --comment;
            }
            continue;
        }
        if (quoted) {
            if (c == '\\' && i + 1 < value.size()) {
                m.text.push_back(value[++i]);
            } else if (c == '"') {
                quoted = false;
            } else {
                m.text.push_back(c);
            }
            continue;
        }
        if (in_angle) {
            if (c == '>') {
                in_angle = false;
            } else {
                m.angle.push_back(c);
            }
            continue;
        }
        if (c == '(') {
            comment = 1;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '<') {
            in_angle = true;
            m.has_angle = true;
            m.angle.clear();
        } else if (c == ',' || c == ';') {
            if (out.size() >= max_items) {
                break;
            }
            out.emplace_back();
        } else if (c == ':' && !m.has_angle && m.text.find('@') == std::string::npos) {
            m.text.clear(); // a group's display name ("undisclosed-recipients:")
        } else {
            m.text.push_back(c);
        }
    }
    return out;
}

// An addr-spec without a source route ("@a,@b:x@y" -> "x@y") or spaces.
std::string clean_spec(std::string_view spec) {
    spec = trim(spec);
    if (!spec.empty() && spec.front() == '@') {
        const auto colon = spec.find(':');
        if (colon != std::string_view::npos) {
            spec.remove_prefix(colon + 1);
        }
    }
    std::string out;
    for (const char c : spec) {
        if (!is_space(c)) {
            out.push_back(c);
        }
    }
    return out;
}

} // namespace

std::vector<std::string> addresses(std::string_view value, std::size_t max_items) {
    std::vector<std::string> out;
    for (const auto& m : split_mailboxes(value, max_items)) {
        std::string spec;
        if (m.has_angle) {
            spec = clean_spec(m.angle);
        } else {
            // No brackets: the whole mailbox is the address; a display name
            // cannot be told from it, so only the last word is kept.
            const auto text = trim(m.text);
            const auto space = text.find_last_of(" \t");
            spec = clean_spec(space == std::string_view::npos ? text : text.substr(space + 1));
        }
        if (!spec.empty()) {
            out.push_back(std::move(spec));
        }
    }
    return out;
}

std::string bare_address(std::string_view value) {
    const auto trimmed = trim(value);
    if (trimmed.empty()) {
        return "";
    }
    auto list = addresses(trimmed, 1);
    return list.empty() ? std::string() : list.front();
}

std::string bare_message_id(std::string_view value) {
    const auto open = value.find('<');
    if (open != std::string_view::npos) {
        const auto close = value.find('>', open);
        return std::string(
            trim(value.substr(open + 1, close == std::string_view::npos ? std::string_view::npos
                                                                        : close - open - 1)));
    }
    const auto trimmed = trim(value);
    const auto space = trimmed.find_first_of(" \t");
    return std::string(trimmed.substr(0, space));
}

std::string address_domain(std::string_view address) {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) {
        return "";
    }
    auto domain = trim(address.substr(at + 1));
    while (!domain.empty() && domain.back() == '.') {
        domain.remove_suffix(1);
    }
    return lower(domain);
}

} // namespace rua::detail::failure
