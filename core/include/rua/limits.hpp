// Bounds on every input the core reads. Each is a config key (milter) or an
// option (ruactl); the defaults are safe for a public MX.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rua {

struct Limits {
    std::size_t max_message_bytes = 64u << 20;      // raw message
    std::size_t max_parts = 100;                    // MIME leaves looked at
    std::size_t max_mime_depth = 4;                 // multipart / message/rfc822 nesting
    std::size_t max_decompressed_bytes = 64u << 20; // per attachment, all layers
    std::size_t max_ratio = 1000;                   // decompressed : compressed
    std::size_t max_zip_members = 16;
    std::size_t max_layers = 4; // gzip in gzip in zip ...
    std::size_t max_xml_depth = 32;
    std::size_t max_records = 200000;        // per report (each costs ~1 KiB in memory)
    std::size_t max_field_bytes = 64u << 10; // one text value
};

} // namespace rua
