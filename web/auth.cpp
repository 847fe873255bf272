// Bearer tokens, session cookies, the login and logout forms. Tokens and
// cookies are compared only through their sha256 in SQL (query layer); a
// cookie is 32 bytes from getrandom(2), base64url. Must never write a token
// or a cookie to the log or into a response body.
#include "auth.hpp"

#include "log.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace rua::web {

namespace {

constexpr std::size_t k_cookie_bytes = 32;

bool base64url_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

// "rua_" and 43 base64url characters: anything else is no token, and is
// refused without asking the database.
bool token_shaped(std::string_view text) {
    return text.size() == 47 && text.substr(0, 4) == "rua_" &&
           std::all_of(text.begin() + 4, text.end(), base64url_char);
}

bool cookie_shaped(std::string_view text) {
    return text.size() == 43 && std::all_of(text.begin(), text.end(), base64url_char);
}

std::string base64url(const unsigned char* data, std::size_t size) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (std::size_t i = 0; i < size; ++i) {
        bits = (bits << 8) | data[i];
        count += 8;
        while (count >= 6) {
            count -= 6;
            out += k_alphabet[(bits >> count) & 0x3f];
        }
    }
    if (count > 0) {
        out += k_alphabet[(bits << (6 - count)) & 0x3f];
    }
    return out;
}

// A new cookie value. Throws Error when the kernel gives no randomness.
std::string new_cookie() {
    std::array<unsigned char, k_cookie_bytes> bytes{};
    std::size_t have = 0;
    while (have < bytes.size()) {
        const auto got = getrandom(bytes.data() + have, bytes.size() - have, 0);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw Error("getrandom failed");
        }
        have += static_cast<std::size_t>(got);
    }
    return base64url(bytes.data(), bytes.size());
}

std::optional<std::string> cookie_value(const httplib::Request& req) {
    const auto header = req.get_header_value("Cookie");
    std::string_view rest = header;
    while (!rest.empty()) {
        const auto semi = rest.find(';');
        auto item = rest.substr(0, semi);
        rest.remove_prefix(semi == std::string_view::npos ? rest.size() : semi + 1);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        const std::string_view name = k_session_cookie;
        if (item.size() > name.size() && item.substr(0, name.size()) == name &&
            item[name.size()] == '=') {
            return std::string(item.substr(name.size() + 1));
        }
    }
    return std::nullopt;
}

std::string cookie_header(const Config& config, std::string_view value, std::int64_t max_age) {
    return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", k_session_cookie,
                       value, max_age, config.cookie_secure ? "; Secure" : "");
}

void see_other(httplib::Response& res, const char* where) {
    res.status = 303;
    res.set_header("Location", where);
    res.set_header("Cache-Control", "no-store");
}

void refuse_cross_site(httplib::Response& res) {
    res.status = 403;
    res.set_content("forbidden: this form is posted only from rua-web's own pages\n", "text/plain");
}

} // namespace

std::optional<query::Principal> authenticate(query::Queries& queries, const httplib::Request& req,
                                             bool bearer_only) {
    if (req.has_header("Authorization")) {
        const auto header = req.get_header_value("Authorization");
        const std::string_view prefix = "Bearer ";
        if (header.compare(0, prefix.size(), prefix) != 0) {
            return std::nullopt;
        }
        const auto token = std::string_view(header).substr(prefix.size());
        return token_shaped(token) ? queries.token_principal(token) : std::nullopt;
    }
    if (bearer_only) {
        return std::nullopt;
    }
    const auto cookie = cookie_value(req);
    if (!cookie || !cookie_shaped(*cookie)) {
        return std::nullopt;
    }
    return queries.session_principal(*cookie);
}

bool same_origin(const httplib::Request& req) {
    const auto origin = req.get_header_value("Origin");
    // Under Referrer-Policy no-referrer a browser posts a form with
    // `Origin: null`; it still says where the post came from in
    // Sec-Fetch-Site, which no page can set.
    if (origin == "null" || origin.empty()) {
        return !origin.empty() && req.get_header_value("Sec-Fetch-Site") == "same-origin";
    }
    const auto host = req.get_header_value("Host");
    return !host.empty() && (origin == "http://" + host || origin == "https://" + host);
}

void handle_login(const Config& config, query::Queries& queries, const httplib::Request& req,
                  httplib::Response& res) {
    if (!same_origin(req)) {
        refuse_cross_site(res);
        return;
    }
    httplib::Params form;
    httplib::detail::parse_query_text(req.body, form);
    const auto token = form.find("token");
    std::string given = token == form.end() ? std::string() : token->second;
    while (!given.empty() &&
           (given.back() == ' ' || given.back() == '\n' || given.back() == '\r')) {
        given.pop_back();
    }
    try {
        const auto who = token_shaped(given) ? queries.token_principal(given) : std::nullopt;
        if (!who) {
            log_at(LogLevel::info, "login refused from {}", req.remote_addr);
            see_other(res, "/login?failed=1");
            return;
        }
        const auto cookie = new_cookie();
        queries.session_create(*who, cookie, config.session_lifetime.count());
        res.set_header("Set-Cookie",
                       cookie_header(config, cookie, config.session_lifetime.count()));
        log_at(LogLevel::info, "login token={} from {}", who->token_id, req.remote_addr);
        see_other(res, "/domains");
    } catch (const std::exception& e) {
        log_at(LogLevel::error, "login: {}", e.what());
        see_other(res, "/login?failed=2");
    }
}

void handle_logout(const Config& config, query::Queries& queries, const httplib::Request& req,
                   httplib::Response& res) {
    if (!same_origin(req)) {
        refuse_cross_site(res);
        return;
    }
    try {
        if (const auto cookie = cookie_value(req); cookie && cookie_shaped(*cookie)) {
            queries.session_delete(*cookie);
        }
    } catch (const std::exception& e) {
        log_at(LogLevel::error, "logout: {}", e.what());
    }
    res.set_header("Set-Cookie", cookie_header(config, "", 0));
    see_other(res, "/login");
}

} // namespace rua::web
