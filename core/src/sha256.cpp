// SHA-256 through Nettle's sha2.h; see sha256.hpp.
#include "sha256.hpp"

#include "text.hpp"

#include <nettle/sha2.h>

#include <cstdint>

namespace rua::detail {

Sha256::Sha256() {
    sha256_init(&m_ctx);
}

void Sha256::add(std::string_view data) {
    sha256_update(&m_ctx, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
}

std::string Sha256::digest() {
    std::string out(SHA256_DIGEST_SIZE, '\0');
    sha256_digest(&m_ctx, out.size(), reinterpret_cast<std::uint8_t*>(out.data()));
    return out;
}

std::string sha256(std::string_view data) {
    Sha256 hash;
    hash.add(data);
    return hash.digest();
}

std::string sha256_hex(std::string_view data) {
    return hex(sha256(data));
}

} // namespace rua::detail
