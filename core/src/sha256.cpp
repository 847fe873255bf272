// SHA-256 through Nettle's sha2.h; see sha256.hpp.
#include "sha256.hpp"

#include "text.hpp"

#include <nettle/sha2.h>

#include <cstdint>

namespace rua::detail {

std::string sha256(std::string_view data) {
    sha256_ctx ctx{};
    sha256_init(&ctx);
    sha256_update(&ctx, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
    std::string digest(SHA256_DIGEST_SIZE, '\0');
    sha256_digest(&ctx, digest.size(), reinterpret_cast<std::uint8_t*>(digest.data()));
    return digest;
}

std::string sha256_hex(std::string_view data) {
    return hex(sha256(data));
}

} // namespace rua::detail
