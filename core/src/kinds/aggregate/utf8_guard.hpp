// Finds the first invalid UTF-8 sequence in a document that is, or says it
// is, UTF-8, and names its line and column: Xerces reports such errors at
// the position of its read-ahead, which is useless to a postmaster. Sees
// raw bytes only; never changes them and never looks at markup beyond the
// XML declaration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rua::detail {

class Utf8Guard {
public:
    // Inspects the next `size` bytes of the document. Returns "" while all
    // is well, else the reason ("invalid UTF-8 at line 31, column 24").
    std::string feed(const unsigned char* data, std::size_t size);
    // End of the document: reports a sequence cut short.
    std::string finish();

private:
    enum class Mode { sniffing, checking, off };
    void decide();
    std::string check(const unsigned char* data, std::size_t size);
    void advance(const unsigned char* data, std::size_t size);
    std::string error_at(const unsigned char* data, std::ptrdiff_t lead);
    std::string error_here(const std::string& what) const;
    std::string bad_sequence() const;

    Mode m_mode = Mode::sniffing;
    std::string m_head;     // bytes held back until the declaration is read
    int m_need = 0;         // continuation bytes still expected
    std::string m_sequence; // the bytes of the current multi-byte sequence
    unsigned char m_lo = 0x80;
    unsigned char m_hi = 0xBF;
    std::uint64_t m_line = 1;
    std::uint64_t m_column = 0; // characters so far on the current line
};

} // namespace rua::detail
