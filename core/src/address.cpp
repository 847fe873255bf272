// normalize_domain and normalize_address: the one normal form (see
// rua/address.hpp). IDNA through libidn2, whose buffers get an owner on the
// line that receives them. Must never look anything up in the DNS.
#include "text.hpp"

#include <rua/address.hpp>

#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace rua {

namespace {

constexpr std::size_t k_max_label = 63;
constexpr std::size_t k_max_name = 253;

struct FreeIdn2 {
    void operator()(char* p) const noexcept { idn2_free(p); }
};

bool is_ascii(std::string_view text) {
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

// Letters, digits, '-' and '_' ("_dmarc" labels exist), labels of 1 to 63
// octets, at most 253 in all. Lower case already.
bool valid_ascii_name(std::string_view name) {
    if (name.empty() || name.size() > k_max_name) {
        return false;
    }
    std::size_t label = 0;
    for (const char c : name) {
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
            continue;
        }
        const bool allowed =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!allowed || ++label > k_max_label) {
            return false;
        }
    }
    return label > 0;
}

// The A-label form of a name with U-labels, or std::nullopt.
std::optional<std::string> to_a_label(std::string_view name) {
    const std::string input(name);
    char* output = nullptr;
    const int rc =
        idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()),
                       reinterpret_cast<uint8_t**>(&output), IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    const std::unique_ptr<char, FreeIdn2> owned(output);
    if (rc != IDN2_OK || output == nullptr) {
        return std::nullopt;
    }
    return detail::lower(output);
}

std::string_view unbracketed(std::string_view address) {
    auto text = detail::trim(address);
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>') {
        text = detail::trim(text.substr(1, text.size() - 2));
    }
    return text;
}

// An unquoted local part as it is matched: no white space, no control
// characters, no '@' or quote, valid UTF-8.
bool valid_local_part(std::string_view local) {
    if (local.empty()) {
        return false;
    }
    for (const char c : local) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= ' ' || byte == 0x7f || c == '@' || c == '"' || c == '<' || c == '>') {
            return false;
        }
    }
    bool changed = false;
    (void)detail::valid_utf8(local, &changed);
    return !changed;
}

} // namespace

std::optional<std::string> normalize_domain(std::string_view domain) {
    auto name = detail::trim(domain);
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    if (name.empty()) {
        return std::nullopt;
    }
    std::string out = detail::lower(name);
    if (!is_ascii(out)) {
        bool changed = false;
        (void)detail::valid_utf8(out, &changed);
        if (changed) {
            return std::nullopt;
        }
        auto converted = to_a_label(out);
        if (!converted) {
            return std::nullopt;
        }
        out = std::move(*converted);
    }
    if (!valid_ascii_name(out)) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> normalize_address(std::string_view address) {
    const auto text = unbracketed(address);
    const auto at = text.rfind('@');
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    const auto local = text.substr(0, at);
    if (!valid_local_part(local)) {
        return std::nullopt;
    }
    auto domain = normalize_domain(text.substr(at + 1));
    if (!domain || detail::trim(text.substr(at + 1)).size() != text.size() - at - 1) {
        return std::nullopt;
    }
    return detail::lower(local) + "@" + *domain;
}

std::optional<std::string> domain_of_address(std::string_view address) {
    const auto text = unbracketed(address);
    const auto at = text.rfind('@');
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    return normalize_domain(text.substr(at + 1));
}

} // namespace rua
