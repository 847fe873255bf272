// Internal to the alert worker: the mail command runner (mail.cpp) and the
// webhook poster (webhook.cpp). Each returns "" on success, else one line
// saying why; neither throws for a delivery failure.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace rua::alerts::detail {

// Runs command[0] (an absolute path, no shell) with the message on its
// standard input; success is exit status 0 within `timeout` (else killed).
std::string run_mail_command(const std::vector<std::string>& command, std::string_view message,
                             std::chrono::milliseconds timeout);

// POSTs `body` (JSON) to `url` with X-Rua-Signature: sha256=HMAC(secret,
// body); success is a 2xx answer. Redirects are not followed.
std::string post_webhook(const std::string& url, const std::string& secret, const std::string& body,
                         std::chrono::milliseconds connect_timeout,
                         std::chrono::milliseconds timeout);

} // namespace rua::alerts::detail
