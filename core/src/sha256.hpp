// SHA-256 for content keys and the hashes kept in place of redacted text,
// from Nettle (already loaded by vmime's GnuTLS, so the parse path pays no
// extra start-up for it). Not used for anything secret.
#pragma once

#include <nettle/sha2.h>

#include <string>
#include <string_view>

namespace rua::detail {

// A digest built from pieces: add() in order, then digest() once.
class Sha256 {
public:
    Sha256();
    void add(std::string_view data);
    std::string digest(); // 32 bytes

private:
    sha256_ctx m_ctx{};
};

// The 32-byte digest of `data`.
std::string sha256(std::string_view data);
// The same, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

} // namespace rua::detail
