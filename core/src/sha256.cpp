// SHA-256 through Nettle's sha2.h; see sha256.hpp.
#include "sha256.hpp"

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
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (const char c : sha256(data)) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(k_hex[u >> 4]);
        out.push_back(k_hex[u & 0xf]);
    }
    return out;
}

} // namespace rua::detail
