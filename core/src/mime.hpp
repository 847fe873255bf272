// Walking a MIME message into its leaves (vmime parses the headers; the
// tree walk and body slicing are ours, so every bound is checked before any
// deep recursion and bodies are never copied). Must never trust a declared
// type or filename for anything but labels.
#pragma once

#include <rua/limits.hpp>
#include <rua/model.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rua::detail {

struct MimeLeaf {
    int part = 0;                  // 1-based, walk order
    OptString content_type;        // declared "type/subtype", lower case
    OptString filename;            // sanitised, RFC 2231 decoded
    std::string transfer_encoding; // lower case; "" when absent
    std::string_view body;         // still transfer-encoded
};

// One entity of the walk (multipart containers, message/rfc822 carriers and
// leaves alike), for kinds that read a report from the message's structure
// (an ARF failure report). Views point into the caller's buffer or into
// MimeTree::storage.
struct MimeEntity {
    int parent = -1;               // index in MimeTree::entities; -1 for the root
    std::string type, subtype;     // lower case; "" when no Content-Type
    std::string_view header;       // raw header block
    std::string_view body;         // still transfer-encoded; for message/rfc822 the
                                   // whole encapsulated message
    std::string transfer_encoding; // lower case; "" when absent
    int leaf_part = 0;             // MimeLeaf::part when a leaf, else 0
};

struct MimeTree {
    std::vector<MimeLeaf> leaves;
    // Every entity in walk order (pre-order: a parent before its children).
    // The decoded root of an encoded message/rfc822 points into storage.
    std::vector<MimeEntity> entities;
    // Decoded bodies of encoded message/rfc822 parts that leaves point into.
    std::vector<std::unique_ptr<std::string>> storage;
};

// Splits `raw` (kept alive by the caller) into leaves; the root entity is a
// leaf when it is not multipart, and message/rfc822 parts are descended
// into. Throws LimitExceeded when nesting exceeds Limits::max_mime_depth or
// the leaves exceed Limits::max_parts.
MimeTree walk_mime(std::string_view raw, const Limits& limits);

// True when the body must be decoded (base64, quoted-printable); other
// bodies (7bit, 8bit, binary, none) are used in place, without a copy.
bool is_transfer_encoded(const MimeLeaf& leaf);

// Transfer-decodes a leaf body (base64, quoted-printable; anything else is
// taken as it is). Throws BadInput("invalid base64: ...").
std::string decode_body(const MimeLeaf& leaf);

} // namespace rua::detail
