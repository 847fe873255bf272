// The tlsrpt kind's field tables (kinds/fields.hpp): one row per stored field
// of tlsrpt_report, tlsrpt_policy and tlsrpt_failure (sql/0006_tlsrpt.sql),
// walked by the INSERT and COPY of store.cpp, the JSON form and the
// fingerprint alike. Must stay free of libpqxx (the parse path uses it).
#pragma once

#include "kinds/fields.hpp"

#include <rua/kinds/tlsrpt.hpp>

namespace rua::detail::tlsrpt {

// tlsrpt_report: the content fields (policies as a list field: JSON and
// fingerprint only, stored as tlsrpt_policy rows), then columns only the
// store writes (policy_count, warnings).
const Fields<TlsReport>& report_fields();
// tlsrpt_policy, after its key columns (report_id, ordinal); its failure
// details are a list field, stored as tlsrpt_failure rows.
const Fields<TlsPolicy>& policy_fields();
// tlsrpt_failure, after its key columns (report_id, policy_ordinal, ordinal).
const Fields<TlsFailureDetail>& failure_fields();

} // namespace rua::detail::tlsrpt
