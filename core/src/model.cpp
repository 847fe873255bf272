// Small functions of the shared model (model.hpp) that every kind uses.
#include <rua/model.hpp>

#include <fmt/format.h>

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

std::string items_label(const Report& report) {
    std::string noun(report.item_noun());
    if (report.items() != 1) {
        if (!noun.empty() && noun.back() == 'y') {
            noun.replace(noun.size() - 1, 1, "ies");
        } else {
            noun += 's';
        }
    }
    return fmt::format("{}={}", noun, report.items());
}

} // namespace rua
