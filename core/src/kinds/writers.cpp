// The one place the store halves of the report kinds are registered (the
// parse halves: registry.cpp). Lookup is by Report::kind().
#include "kinds/kinds.hpp"
#include "kinds/writer.hpp"

#include <rua/json.hpp>

#include <stdexcept>
#include <string>

namespace rua::detail {

const std::vector<const Writer*>& writers() {
    static const std::vector<const Writer*> k_writers = {&aggregate_writer(), &tlsrpt_writer(),
                                                         &failure_writer()};
    return k_writers;
}

std::string Writer::conflict_key(const Report& report) const {
    return "{\"identifier\":" + json_quote(report.identifier()) + "}";
}

std::unique_ptr<StreamBatch> Writer::stream(pqxx::dbtransaction& /*tx*/, const Report& head,
                                            std::optional<std::int64_t> /*raw_id*/,
                                            const Arrival& /*arrival*/) const {
    throw std::logic_error("report kind " + std::string(head.kind()) + " does not stream");
}

const Writer& writer_for(std::string_view kind) {
    for (const auto* writer : writers()) {
        if (writer->name() == kind) {
            return *writer;
        }
    }
    throw std::logic_error("no writer registered for report kind " + std::string(kind));
}

} // namespace rua::detail
