// HMAC-SHA256 for the webhook signature (X-Rua-Signature), through Nettle's
// hmac.h (Nettle is linked already for sha256.cpp). The key is the secret
// file's content; it never leaves this function.
#include "text.hpp"

#include <rua/alerts.hpp>

#include <nettle/hmac.h>

#include <cstdint>

namespace rua::alerts {

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    hmac_sha256_ctx ctx{};
    hmac_sha256_set_key(&ctx, key.size(), reinterpret_cast<const std::uint8_t*>(key.data()));
    hmac_sha256_update(&ctx, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
    std::string digest(SHA256_DIGEST_SIZE, '\0');
    hmac_sha256_digest(&ctx, digest.size(), reinterpret_cast<std::uint8_t*>(digest.data()));
    return rua::detail::hex(digest);
}

} // namespace rua::alerts
