// The failure kind's field tables (kinds/fields.hpp): one row per stored or
// printed field of failure_report (sql/0007_failure.sql) and of its
// original message, walked by the writer's INSERT and by to_json. Rows with
// no JSON key are stored only; the arrival columns, privacy, fingerprint and
// the original's body are the writer's own (store.cpp).
#pragma once

#include "kinds/fields.hpp"

#include <rua/kinds/failure.hpp>

#include <string>
#include <vector>

namespace rua::detail::failure {

// In JSON order, up to (not including) "original".
const Fields<FailureReport>& report_fields();
// The "original" object, in JSON order; columns are prefixed "original_".
const Fields<FailureOriginal>& original_fields();

// "Name: value\r\n" for each field: the stored form of a header block.
std::string header_block(const std::vector<ArfField>& fields);

} // namespace rua::detail::failure
