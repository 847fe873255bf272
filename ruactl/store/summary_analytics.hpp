// `ruactl summary`'s analytics: the readiness lines and a breakdown (--by,
// --top, --failing, --rollup) as aligned text, JSON or CSV. Presentation
// only: every number comes from rua::query (core/src/query/analytics.cpp,
// readiness.cpp), the same layer rua-web's pages read.
#pragma once

#include <rua/query.hpp>

#include <string>
#include <vector>

namespace ruactl {

// The readiness section of the table form: each domain's line, then its
// checks as an aligned table.
std::string readiness_text(const std::vector<rua::query::Readiness>& list);
// A JSON array of readiness objects (each with its "checks").
std::string readiness_json(const std::vector<rua::query::Readiness>& list);

// A whole `summary --by` answer: `tables` as Queries::breakdown returns them.
struct Analytics {
    std::string domain;
    rua::query::BreakdownQuery query;
    std::vector<rua::query::Readiness> readiness;
    std::vector<rua::query::Table> tables; // breakdown, totals, domains
};
std::string analytics_text(const Analytics& a);
std::string analytics_json(const Analytics& a);
std::string analytics_csv(const Analytics& a);

} // namespace ruactl
