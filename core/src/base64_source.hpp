// Base64 decoded as it is read: a large base64 attachment streams into the
// unpacker and the parser, and is decoded again in chunks for its archive,
// instead of being held decoded whole. Only for text whose chunks decode
// exactly as the whole would (plain_base64); anything odder is decoded whole
// by decode_base64, the one lenient decoder.
#pragma once

#include "byte_source.hpp"

#include <rua/ingest.hpp>

#include <string>
#include <string_view>

namespace rua::detail {

// True when `text` is only base64 symbols and white space, with '=' only as
// the last one or two symbols: then any cut after a multiple of four symbols
// decodes, chunk by chunk, to exactly what decode_base64(text) gives.
bool plain_base64(std::string_view text);

// Decodes plain_base64 text in chunks (the caller checked it).
class Base64Source final : public ByteSource {
public:
    explicit Base64Source(std::string_view text) : m_text(text) {}
    std::size_t read(char* buffer, std::size_t max) override;
    std::size_t size_hint() const override;

private:
    bool fill();

    std::string_view m_text; // not yet decoded
    std::string m_decoded;
    std::size_t m_served = 0;
};

// The decoded bytes of plain_base64 text, read in chunks.
class Base64Bytes final : public AttachmentBytes {
public:
    explicit Base64Bytes(std::string_view text) : m_text(text) {}
    void read(const std::function<void(std::string_view)>& fn) const override;
    std::optional<std::string_view> whole() const override { return std::nullopt; }

private:
    std::string_view m_text;
};

// Bytes already held whole.
class HeldBytes final : public AttachmentBytes {
public:
    explicit HeldBytes(std::string_view bytes) : m_bytes(bytes) {}
    void read(const std::function<void(std::string_view)>& fn) const override { fn(m_bytes); }
    std::optional<std::string_view> whole() const override { return m_bytes; }

private:
    std::string_view m_bytes;
};

} // namespace rua::detail
