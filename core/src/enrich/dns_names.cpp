// Reverse names and wire-format names for the enrichment worker (see
// dns_names.hpp). Every read is checked against the buffer's size.
#include "enrich/dns_names.hpp"

#include <fmt/format.h>

namespace rua::detail {

std::string reverse_name(const IpAddress& ip) {
    const auto& b = ip.bytes();
    if (ip.family() == IpAddress::Family::v4) {
        return fmt::format("{}.{}.{}.{}.in-addr.arpa", b[3], b[2], b[1], b[0]);
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string name;
    name.reserve(72);
    for (std::size_t i = b.size(); i-- > 0;) {
        name += k_hex[b[i] & 0xf];
        name += '.';
        name += k_hex[b[i] >> 4];
        name += '.';
    }
    return name + "ip6.arpa";
}

std::optional<std::string> wire_name_text(const unsigned char* data, std::size_t size) {
    constexpr std::size_t k_max_name = 255;
    if (data == nullptr || size == 0 || size > k_max_name) {
        return std::nullopt;
    }
    std::string text;
    std::size_t at = 0;
    while (at < size) {
        const std::size_t length = data[at++];
        if (length == 0) {
            // The root label ends the name; nothing may follow it.
            if (at != size || text.empty()) {
                return std::nullopt;
            }
            return text;
        }
        if (length > 63 || length > size - at) {
            return std::nullopt; // a compression pointer (0xC0) or past the end
        }
        if (!text.empty()) {
            text += '.';
        }
        for (std::size_t i = 0; i < length; ++i) {
            const unsigned char c = data[at + i];
            const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || (c >= 'A' && c <= 'Z');
            if (!ok) {
                return std::nullopt;
            }
            text += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        at += length;
    }
    return std::nullopt; // no root label
}

} // namespace rua::detail
