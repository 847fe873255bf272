// MemorySource: the trivial ByteSource over caller-owned memory.
#include "byte_source.hpp"

#include <algorithm>
#include <cstring>

namespace rua::detail {

std::size_t MemorySource::read(char* buffer, std::size_t max) {
    const std::size_t n = std::min(max, m_data.size());
    if (n > 0) {
        std::memcpy(buffer, m_data.data(), n);
        m_data.remove_prefix(n);
    }
    return n;
}

} // namespace rua::detail
