// Every URL rua-web answers, installed on one httplib::Server: the security
// headers, the pages and static files, login and logout, the JSON API and
// /metrics. Handlers hold no SQL: they validate, call the query layer and
// render. No stack trace, SQL text or database message ever reaches a client.
#pragma once

#include "config.hpp"

#include <rua/query.hpp>

#include <httplib.h>

namespace rua::web {

// The headers on every response (CSP without inline script or style).
constexpr const char* k_content_security_policy =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// The files under StaticDir that the pages load; `rua-web -n` checks that
// each can be read.
constexpr const char* k_static_files[] = {"page.html", "login.html", "app.js", "app.css",
                                          "favicon.svg"};

// `config` and `queries` must outlive the server.
void install_routes(httplib::Server& server, const Config& config, query::Queries& queries);

// The OpenAPI 3.0 document (web/openapi.json, built in).
extern const char* const k_openapi_json;

} // namespace rua::web
