// rua::IpAddress: parsing a report's <source_ip> and printing it in one
// canonical form (dotted quad; RFC 5952 for IPv6), so that the same sender
// always has the same text. Never resolves names, never accepts zone ids,
// CIDR suffixes or anything inet_pton itself refuses.
#include <rua/model.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>

#include <iterator>

namespace rua {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_view(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// ::ffff:0:0/96 (RFC 4291 2.5.5.2): RFC 5952 section 5 prints these with
// the IPv4 part dotted.
bool is_v4_mapped(const std::array<unsigned char, 16>& b) {
    for (int i = 0; i < 10; ++i) {
        if (b[i] != 0) {
            return false;
        }
    }
    return b[10] == 0xff && b[11] == 0xff;
}

std::string dotted(const unsigned char* b) {
    return fmt::format("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
}

} // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    const std::string_view trimmed = trim_view(text);
    // The longest IPv6 text form (with an embedded IPv4) is 45 characters.
    if (trimmed.empty() || trimmed.size() > 45 || trimmed.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    const std::string copy(trimmed); // inet_pton needs a terminated string
    IpAddress address;
    if (copy.find(':') != std::string::npos) {
        if (inet_pton(AF_INET6, copy.c_str(), address.m_bytes.data()) != 1) {
            return std::nullopt;
        }
        address.m_family = Family::v6;
    } else {
        if (inet_pton(AF_INET, copy.c_str(), address.m_bytes.data()) != 1) {
            return std::nullopt;
        }
        address.m_family = Family::v4;
    }
    return address;
}

std::string IpAddress::text() const {
    if (m_family == Family::v4) {
        return dotted(m_bytes.data());
    }
    if (is_v4_mapped(m_bytes)) {
        return "::ffff:" + dotted(m_bytes.data() + 12);
    }
    unsigned groups[8];
    for (std::size_t i = 0; i < 8; ++i) {
        groups[i] = (static_cast<unsigned>(m_bytes[2 * i]) << 8) | m_bytes[2 * i + 1];
    }
    // RFC 5952 4.2: compress the longest run of two or more zero groups,
    // the first one when runs tie; a single zero group stays "0".
    int best_start = -1;
    int best_len = 0;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && groups[j] == 0) {
            ++j;
        }
        if (j - i > best_len) {
            best_start = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) {
        best_start = -1;
    }
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == best_start) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') {
            out += ':';
        }
        fmt::format_to(std::back_inserter(out), "{:x}", groups[i]);
    }
    return out;
}

} // namespace rua
