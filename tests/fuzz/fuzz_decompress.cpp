// libFuzzer target: the decompression stage alone (rua::detail::unpack, then
// drain every payload it hands out, which checks CRCs and bounds). The first
// input byte picks a forced magic (gzip, zip, zlib, or none) so nearly every
// input reaches a decompressor. Damage must come back as BadInput; any other
// exception, crash, leak or UB is a finding.
#include "decompress.hpp"

#include <rua/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

rua::Limits fuzz_limits() {
    rua::Limits limits;
    limits.max_decompressed_bytes = 8u << 20;
    return limits;
}

// gzip (deflate, no flags, mtime 0, OS unknown), zip local file header, zlib.
constexpr std::string_view k_gzip_magic("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
constexpr std::string_view k_zip_magic("PK\x03\x04", 4);
constexpr std::string_view k_zlib_magic("\x78\x9c", 2);

std::string with_magic(const std::uint8_t* data, std::size_t size) {
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string input;
    switch (data[0] % 4) {
    case 0:
        input.append(k_gzip_magic);
        break;
    case 1:
        input.append(k_zip_magic);
        break;
    case 2:
        input.append(k_zlib_magic);
        break;
    default:
        break; // as is: lets seeds that are whole files through
    }
    input.append(rest);
    return input;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const rua::Limits k_limits = fuzz_limits();
    if (size == 0) {
        return 0;
    }
    const std::string input = with_magic(data, size);
    rua::detail::Budget budget(k_limits, input.size());
    try {
        rua::detail::unpack(
            input, k_limits, budget,
            [](rua::detail::Payload& payload) { rua::detail::drain(payload.source); },
            [](rua::Diagnostic::Level, const std::string&) {});
    } catch (const rua::BadInput&) {
        // The documented outcome for damaged or oversized input.
    }
    return 0;
}
