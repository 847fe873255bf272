// Bounds on every input the core reads. Each is a config key (milter) or an
// option (ruactl); the defaults are safe for a public MX.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rua {

class MemoryReservation; // <rua/budget.hpp>

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
    // Every count a report states (messages, sessions), of any kind; past
    // it the report is bad input. Far below 2^63 so that sums stay exact.
    std::uint64_t max_count = 1000000000000ULL;
    std::size_t max_json_depth = 16;                // JSON nesting (TLS reports need 5)
    std::size_t max_policies = 1000;                // per TLS report
    std::size_t max_failure_details = 100000;       // per TLS report, all policies
    std::size_t max_original_body_bytes = 1u << 20; // failure report body kept (Privacy::full)
    // Not a bound: past this many items a report of a kind that streams
    // (aggregate records) goes to the caller's ReportSink in batches of this
    // size instead of being held whole (rua/ingest.hpp).
    std::size_t stream_items = 1000;
    // Not a bound but the message's share of the milter's MaxInFlightBytes:
    // decompressed output is charged to it (MemoryExhausted past it). Null
    // (ruactl): unlimited. The caller keeps it alive during the call.
    MemoryReservation* memory = nullptr;
};

} // namespace rua
