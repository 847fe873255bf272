// Rebuilds the message exactly as it crossed the wire from the pieces
// libmilter hands over: `Name:value\r\n` per header, "\r\n", then the body
// chunks. Bounded: it must never hold more than its limit, and once over
// the limit it keeps nothing more.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rua::milter {

class MessageBuffer {
public:
    explicit MessageBuffer(std::size_t max_bytes) : m_max(max_bytes) {}

    // `value` as the MTA sent it: with its leading space when the MTA
    // agreed to SMFIP_HDR_LEADSPC (`has_leading_space`), else one space is
    // put back. Bare LF inside a folded value becomes CRLF.
    // Returns false once the message is over the limit.
    bool add_header(std::string_view name, std::string_view value, bool has_leading_space);
    bool end_headers();
    bool add_body(std::string_view chunk);

    bool too_big() const { return m_too_big; }
    const std::string& bytes() const { return m_bytes; }
    std::string take() { return std::move(m_bytes); }

private:
    bool append(std::string_view text);

    std::size_t m_max;
    bool m_too_big = false;
    std::string m_bytes;
};

} // namespace rua::milter
