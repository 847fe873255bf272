// MessageBuffer: the exact bytes of a message, rebuilt from callbacks, up
// to MaxMessageSize. Must never grow past the limit (a hostile sender
// controls the size) and never alter the body.
#include "message_buffer.hpp"

namespace rua::milter {

bool MessageBuffer::append(std::string_view text) {
    if (m_too_big) {
        return false;
    }
    if (text.size() > m_max - m_bytes.size()) {
        m_too_big = true;
        m_bytes.clear();
        m_bytes.shrink_to_fit();
        return false;
    }
    m_bytes.append(text);
    return true;
}

bool MessageBuffer::add_header(std::string_view name, std::string_view value,
                               bool has_leading_space) {
    std::string line;
    line.reserve(name.size() + value.size() + 4);
    line.append(name);
    line += ':';
    if (!has_leading_space) {
        line += ' ';
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
        // MTAs hand over folded headers with bare LF between the lines.
        if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) {
            line += '\r';
        }
        line += value[i];
    }
    line += "\r\n";
    return append(line);
}

bool MessageBuffer::end_headers() {
    return append("\r\n");
}

bool MessageBuffer::add_body(std::string_view chunk) {
    return append(chunk);
}

} // namespace rua::milter
