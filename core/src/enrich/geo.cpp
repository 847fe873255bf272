// libmaxminddb behind detail::GeoDb: one MMDB_s for the worker's life,
// looked up by address text; values read by path with type checks (a file
// is operator-supplied but may come from anywhere: a wrong type is no value).
#include "enrich/geo.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <maxminddb.h>

#include <cctype>

namespace rua::detail {

struct GeoDb::Impl {
    MMDB_s db{};
    bool open = false;
    ~Impl() {
        if (open) {
            MMDB_close(&db);
        }
    }
};

namespace {

std::optional<std::string> text_at(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size > 1024) {
        return std::nullopt;
    }
    return std::string(data.utf8_string, data.data_size);
}

std::optional<std::int64_t> number_at(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data{};
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) {
        return std::nullopt;
    }
    switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
        return data.uint16;
    case MMDB_DATA_TYPE_UINT32:
        return data.uint32;
    case MMDB_DATA_TYPE_INT32:
        return data.int32;
    case MMDB_DATA_TYPE_UINT64:
        return data.uint64 <= 0xffffffffu ? std::optional<std::int64_t>(data.uint64) : std::nullopt;
    default:
        return std::nullopt;
    }
}

// "AS15169" (IPinfo lite's asn field) -> 15169.
std::optional<std::int64_t> as_text_number(const std::optional<std::string>& text) {
    if (!text || text->size() < 3 || text->size() > 12 || (*text)[0] != 'A' || (*text)[1] != 'S') {
        return std::nullopt;
    }
    std::int64_t n = 0;
    for (std::size_t i = 2; i < text->size(); ++i) {
        const char c = (*text)[i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        n = n * 10 + (c - '0');
    }
    return n;
}

} // namespace

GeoDb::GeoDb(const std::string& path) : m_impl(std::make_unique<Impl>()) {
    const int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &m_impl->db);
    if (rc != MMDB_SUCCESS) {
        throw ConfigError(fmt::format("enrich: MMDB {}: {}", path, MMDB_strerror(rc)));
    }
    m_impl->open = true;
}

GeoDb::~GeoDb() = default;

GeoAnswer GeoDb::lookup(const std::string& ip) const {
    GeoAnswer answer;
    int gai_error = 0;
    int mmdb_error = 0;
    MMDB_lookup_result_s found =
        MMDB_lookup_string(&m_impl->db, ip.c_str(), &gai_error, &mmdb_error);
    if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !found.found_entry) {
        return answer;
    }
    static const char* const k_asn[] = {"autonomous_system_number", nullptr};
    static const char* const k_as_org[] = {"autonomous_system_organization", nullptr};
    static const char* const k_country[] = {"country", "iso_code", nullptr};
    static const char* const k_ipinfo_asn[] = {"asn", nullptr};
    static const char* const k_ipinfo_as_name[] = {"as_name", nullptr};
    static const char* const k_ipinfo_country[] = {"country_code", nullptr};
    answer.asn = number_at(found.entry, k_asn);
    if (!answer.asn) {
        answer.asn = as_text_number(text_at(found.entry, k_ipinfo_asn));
    }
    answer.as_name = text_at(found.entry, k_as_org);
    if (!answer.as_name) {
        answer.as_name = text_at(found.entry, k_ipinfo_as_name);
    }
    auto country = text_at(found.entry, k_country);
    if (!country) {
        country = text_at(found.entry, k_ipinfo_country);
    }
    if (country && country->size() == 2 &&
        std::isalpha(static_cast<unsigned char>((*country)[0])) &&
        std::isalpha(static_cast<unsigned char>((*country)[1]))) {
        answer.country = std::string{static_cast<char>(std::toupper((*country)[0])),
                                     static_cast<char>(std::toupper((*country)[1]))};
    }
    return answer;
}

} // namespace rua::detail
