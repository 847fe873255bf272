// A pull stream of bytes: how decompressed report data reaches the XML
// parser without ever being held whole in memory. Internal to core.
#pragma once

#include <cstddef>
#include <string_view>

namespace rua::detail {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Fills up to `max` bytes; returns 0 only at the end of the stream.
    // Throws BadInput / LimitExceeded (corrupt data, a bound reached).
    virtual std::size_t read(char* buffer, std::size_t max) = 0;
    // Bytes still to come when known without reading (plain data in
    // memory), else 0. A hint for reserving memory, never a bound.
    virtual std::size_t size_hint() const { return 0; }
};

// Reads from memory the caller keeps alive.
class MemorySource final : public ByteSource {
public:
    explicit MemorySource(std::string_view data) : m_data(data) {}
    std::size_t read(char* buffer, std::size_t max) override;
    std::size_t size_hint() const override { return m_data.size(); }

private:
    std::string_view m_data;
};

} // namespace rua::detail
