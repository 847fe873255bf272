// The JSON API (/api/v1/...), its OpenAPI document and /metrics: one handler
// per endpoint, each validating its parameters (params.hpp), calling one
// query and rendering JSON or CSV. No SQL here.
#pragma once

#include "config.hpp"

#include <rua/query.hpp>

#include <httplib.h>

namespace rua::web {

// `config` and `queries` must outlive the server.
void install_api(httplib::Server& server, const Config& config, query::Queries& queries);

} // namespace rua::web
