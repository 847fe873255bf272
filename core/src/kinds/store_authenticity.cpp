// `ruactl summary`'s BY AUTHENTICITY section, the same for every kind: the
// kind's writer gives the SELECT (Writer::authenticity_sql), this file the
// table, every verdict in a fixed order, zeros included. Read-only.
#include "kinds/writer.hpp"

#include <rua/authres.hpp>

namespace rua::detail {

SummaryTable authenticity_summary(pqxx::work& tx, const Writer& writer, const std::string& domain,
                                  std::optional<std::int64_t> since_seconds_ago) {
    const std::string age = since_seconds_ago ? std::to_string(*since_seconds_ago) : "";
    const char* age_param = since_seconds_ago ? age.c_str() : nullptr;
    const auto rows = tx.exec_params(writer.authenticity_sql(), domain, age_param);
    SummaryTable out;
    out.kind = std::string(writer.name());
    out.name = "by_authenticity";
    out.title = "BY AUTHENTICITY";
    out.columns = {"authenticity", "reports", "messages"};
    out.numeric = {false, true, true};
    for (auto verdict : {Authenticity::dmarc_pass, Authenticity::dkim_aligned,
                         Authenticity::unauthenticated, Authenticity::unknown}) {
        std::vector<OptString> cells = {std::string(to_string(verdict)), std::string("0"),
                                        std::string("0")};
        for (const auto& row : rows) {
            if (row[0].as<std::string>() == to_string(verdict)) {
                cells[1] = row[1].as<std::string>();
                cells[2] = row[2].is_null() ? std::string("0") : row[2].as<std::string>();
            }
        }
        out.rows.push_back(std::move(cells));
    }
    return out;
}

} // namespace rua::detail
