// The optional MMDB lookup of the enrichment worker (libmaxminddb): ASN, AS
// name and country of an address from an operator-supplied file. Knows the
// key layouts of MaxMind GeoLite2 (ASN, Country, City), DB-IP lite and
// IPinfo lite. Read-only; never writes the file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace rua::detail {

struct GeoAnswer {
    std::optional<std::int64_t> asn;
    std::optional<std::string> as_name;
    std::optional<std::string> country; // ISO 3166-1 alpha-2, upper case
};

class GeoDb {
public:
    // Opens `path` (memory-mapped). Throws ConfigError when it cannot be
    // opened or is not a MaxMind DB.
    explicit GeoDb(const std::string& path);
    ~GeoDb();
    GeoDb(const GeoDb&) = delete;
    GeoDb& operator=(const GeoDb&) = delete;

    // What the file says about `ip` (its text form); all empty when nothing.
    GeoAnswer lookup(const std::string& ip) const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace rua::detail
