// Small functions of the shared model (model.hpp) that every kind uses.
#include "sha256.hpp"

#include <rua/model.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace rua {

const char* to_string(Privacy privacy) {
    switch (privacy) {
    case Privacy::redacted:
        return "redacted";
    case Privacy::headers:
        return "headers";
    case Privacy::full:
        return "full";
    }
    return "redacted";
}

std::string plural_noun(std::string_view noun, std::size_t n) {
    std::string out(noun);
    if (n == 1 || out.empty()) {
        return out;
    }
    if (out.back() == 'y') {
        out.replace(out.size() - 1, 1, "ies");
    } else {
        out += 's';
    }
    return out;
}

std::string items_label(const Report& report) {
    return fmt::format("{}={}", plural_noun(report.item_noun(), report.items()), report.items());
}

std::string Report::fingerprint_sha256() const {
    return detail::sha256(fingerprint());
}

std::unique_ptr<Report> Report::take_batch() {
    throw std::logic_error(fmt::format("{} reports are never streamed", kind()));
}

void Report::keep_released() const {
    throw std::logic_error(fmt::format("{} reports are never streamed", kind()));
}

void Report::json_begin(std::string& /*out*/) const {
    throw std::logic_error(fmt::format("{} reports are never streamed", kind()));
}

void Report::json_items(std::string& /*out*/, bool /*first*/) const {
    throw std::logic_error(fmt::format("{} reports are never streamed", kind()));
}

void Report::json_end(std::string& /*out*/) const {
    throw std::logic_error(fmt::format("{} reports are never streamed", kind()));
}

} // namespace rua
