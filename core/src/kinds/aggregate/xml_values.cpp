// Value normalisation for the XML stage: what a text node of a DMARC report
// means once trimmed. Keeps every sender's value (lower-cased) rather than
// guessing; never rejects a report by itself (callers decide).
#include "xml_values.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace rua::detail {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

void put_code_point(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

struct EnumSpec {
    EnumField field;
    std::array<std::string_view, 8> values; // unused slots are empty
};

constexpr std::array<EnumSpec, 10> k_enums{{
    {EnumField::disposition, {"none", "quarantine", "reject", "pass"}},
    {EnumField::aligned_result, {"pass", "fail"}},
    {EnumField::dkim_result,
     {"none", "pass", "fail", "policy", "neutral", "temperror", "permerror"}},
    {EnumField::spf_result,
     {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror", "policy"}},
    {EnumField::spf_scope, {"helo", "mfrom"}},
    {EnumField::reason_type,
     {"forwarded", "sampled_out", "trusted_forwarder", "mailing_list", "local_policy", "other",
      "policy_test_mode"}},
    {EnumField::alignment, {"r", "s"}},
    {EnumField::policy, {"none", "quarantine", "reject"}},
    {EnumField::testing, {"n", "y"}},
    {EnumField::discovery_method, {"psl", "treewalk"}},
}};

} // namespace

OptString opt_text(std::string_view text) {
    const std::string_view t = trim(text);
    if (t.empty()) {
        return std::nullopt;
    }
    return std::string(t);
}

void append_utf8(std::string& out, const char16_t* text, std::size_t length) {
    // Most report text is ASCII: copy it straight, encode the rest.
    std::size_t i = 0;
    const std::size_t start = out.size();
    out.resize(start + length);
    char* ascii = &out[start];
    while (i < length && text[i] < 0x80) {
        ascii[i] = static_cast<char>(text[i]);
        ++i;
    }
    out.resize(start + i);
    for (; i < length; ++i) {
        const char16_t unit = text[i];
        if (unit < 0xD800 || unit > 0xDFFF) {
            put_code_point(out, unit);
        } else if (unit <= 0xDBFF && i + 1 < length && text[i + 1] >= 0xDC00 &&
                   text[i + 1] <= 0xDFFF) {
            const char32_t cp =
                0x10000 + ((static_cast<char32_t>(unit) - 0xD800) << 10) + (text[i + 1] - 0xDC00);
            put_code_point(out, cp);
            ++i;
        } else {
            put_code_point(out, 0xFFFD);
        }
    }
}

std::string quoted(std::string_view text) {
    constexpr std::size_t k_max = 64;
    std::string out = "\"";
    out += text.size() <= k_max ? text : text.substr(0, k_max);
    out += text.size() <= k_max ? "\"" : "...\"";
    return out;
}

std::string to_lower_ascii(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return lower;
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
    const std::string_view t = trim(text);
    if (t.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    constexpr std::uint64_t k_max = std::numeric_limits<std::uint64_t>::max();
    for (const char c : t) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (k_max - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

std::optional<std::int64_t> parse_timestamp(std::string_view text, bool& had_fraction) {
    had_fraction = false;
    std::string_view t = trim(text);
    const std::size_t dot = t.find('.');
    if (dot != std::string_view::npos) {
        const std::string_view fraction = t.substr(dot + 1);
        if (fraction.empty() || !std::all_of(fraction.begin(), fraction.end(), is_digit)) {
            return std::nullopt;
        }
        had_fraction = fraction.find_first_not_of('0') != std::string_view::npos;
        t = t.substr(0, dot);
    }
    const auto whole = parse_count(t);
    if (!whole || t.size() != trim(t).size() ||
        *whole > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*whole);
}

void Warnings::add(std::string text) {
    if (m_seen.count(text) > 0) {
        return;
    }
    if (m_out.size() >= k_max_warnings) {
        if (!m_truncated) {
            m_truncated = true;
            m_out.emplace_back("further warnings suppressed");
        }
        return;
    }
    m_seen.insert(text);
    m_out.push_back(std::move(text));
}

std::string normalise_enum(std::string_view value, EnumField field, std::string_view what,
                           Warnings& warnings) {
    std::string lower = to_lower_ascii(value);
    if (field == EnumField::spf_result && lower == "hardfail") {
        warnings.add(std::string(what) + " " + quoted(value) + " read as \"fail\"");
        return "fail";
    }
    for (const EnumSpec& spec : k_enums) {
        if (spec.field != field) {
            continue;
        }
        for (const std::string_view known : spec.values) {
            if (!known.empty() && known == lower) {
                return lower;
            }
        }
    }
    warnings.add("unknown " + std::string(what) + " " + quoted(lower));
    return lower;
}

} // namespace rua::detail
