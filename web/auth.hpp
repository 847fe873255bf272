// Who a request comes from: an `Authorization: Bearer` token or the session
// cookie the login form gave, both checked against the database by their
// sha256. And the login and logout forms, which trade a token for a session
// cookie and back. Must never log or echo a token or a cookie.
#pragma once

#include "config.hpp"

#include <rua/query.hpp>

#include <httplib.h>

#include <optional>
#include <string>

namespace rua::web {

constexpr const char* k_session_cookie = "rua_session";

// The principal of the request, or nullopt (no credentials, or bad ones:
// a request that sends a token is judged by it alone). Throws TryLater.
std::optional<query::Principal> authenticate(query::Queries& queries, const httplib::Request& req,
                                             bool bearer_only = false);

// True when the request's Origin is this server (its Host, http or https),
// or is "null" with `Sec-Fetch-Site: same-origin` (what a browser sends for
// our own form under Referrer-Policy no-referrer): the check that, with
// SameSite=Strict, keeps other sites from posting the forms.
bool same_origin(const httplib::Request& req);

// POST /login (form field `token`) and POST /logout. Never throw.
void handle_login(const Config& config, query::Queries& queries, const httplib::Request& req,
                  httplib::Response& res);
void handle_logout(const Config& config, query::Queries& queries, const httplib::Request& req,
                   httplib::Response& res);

} // namespace rua::web
