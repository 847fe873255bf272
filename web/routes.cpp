// The HTTP side of rua-web: headers on every response, pages and static
// files, the login forms, and the wrapper every API handler runs in (who is
// asking, then the handler, then an error mapped to 400/401/404/503/500).
// Must never send an exception's text for a 500 or 503: it is logged.
#include "routes.hpp"

#include "api.hpp"
#include "auth.hpp"
#include "log.hpp"
#include "render.hpp"

#include <rua/errors.hpp>

#include <fstream>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <string_view>

namespace rua::web {

namespace {

constexpr std::size_t k_max_body = std::size_t{16} * 1024;

// The pages, at /NAME: each is StaticDir/page.html with its title, its name
// (which app.js reads to know what to fetch) and, for those with charts,
// Chart.js; none holds data. The login page is a file of its own.
struct Page {
    const char* name;
    const char* title;
    bool charts;
};
constexpr Page k_pages[] = {
    {"domains", "Domains", false},
    {"domain", "Domain overview", true},
    {"sources", "Sources", false},
    {"source", "Source", false},
    {"reports", "Reports", false},
    {"report", "Report", false},
    {"tls", "SMTP TLS", true},
    {"failures", "Failure reports", false},
    {"failure", "Failure report", false},
    {"quarantine", "Quarantine", false},
    {"conflicts", "Conflicts", false},
    {"alerts", "Alerts", false},
};

// Every {{key}} of `text` replaced by its value (the values are ours).
std::string fill(std::string text,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
    for (const auto& [key, value] : values) {
        const std::string mark = "{{" + std::string(key) + "}}";
        for (auto at = text.find(mark); at != std::string::npos;
             at = text.find(mark, at + value.size())) {
            text.replace(at, mark.size(), value);
        }
    }
    return text;
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    out = text.str();
    return !in.bad();
}

// The file at `path`, changed by `edit` when given; 404 (logged) when it
// cannot be read.
void serve_file(const std::string& path, const char* type, httplib::Response& res,
                const std::function<std::string(std::string)>& edit = {}) {
    std::string body;
    if (!read_file(path, body)) {
        log_at(LogLevel::error, "cannot read {}", log_quoted(path));
        res.status = 404;
        return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(edit ? edit(std::move(body)) : body, type);
}

const char* status_text(int status) {
    switch (status) {
    case 400:
        return "bad request";
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not found";
    case 405:
        return "method not allowed";
    case 413:
        return "payload too large";
    case 414:
        return "URI too long";
    default:
        return status >= 500 ? "internal error" : "error";
    }
}

} // namespace

void install_routes(httplib::Server& server, const Config& config, query::Queries& queries) {
    server.set_default_headers({
        {"Content-Security-Policy", k_content_security_policy},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
    });
    server.set_payload_max_length(k_max_body);
    // Called for every status >= 400: fills in a body only where the
    // handler left none (an unknown URL, a body too large).
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) {
            return;
        }
        if (req.path.rfind("/api/", 0) == 0) {
            res.set_content(json_error(status_text(res.status)), "application/json");
        } else {
            res.set_content(std::string(status_text(res.status)) + "\n", "text/plain");
        }
    });
    server.set_exception_handler([](const httplib::Request& req, httplib::Response& res,
                                    const std::exception_ptr& ep) {
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            log_at(LogLevel::error, "{} {}: {}", req.method, log_quoted(req.path), e.what());
        } catch (...) {
            log_at(LogLevel::error, "{} {}: unknown exception", req.method, log_quoted(req.path));
        }
        res.status = 500;
        res.set_content(json_error("internal error"), "application/json");
    });
    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        log_at(res.status >= 500 ? LogLevel::warning : LogLevel::debug, "{} {} {} from {}",
               req.method, log_quoted(req.path), res.status, req.remote_addr);
    });

    const std::string static_dir = config.static_dir;
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.status = 302;
        res.set_header("Location", "/domains");
    });
    server.Get("/login", [static_dir](const httplib::Request&, httplib::Response& res) {
        serve_file(static_dir + "/login.html", "text/html; charset=utf-8", res);
    });
    for (const Page& page : k_pages) {
        const std::string where = static_dir + "/page.html";
        server.Get(std::string("/") + page.name, [where, page](const httplib::Request&,
                                                               httplib::Response& res) {
            const char* charts =
                page.charts ? "\n  <script src=\"/static/chart.js\" defer></script>" : "";
            serve_file(where, "text/html; charset=utf-8", res, [&](std::string body) {
                return fill(std::move(body),
                            {{"title", page.title}, {"page", page.name}, {"scripts", charts}});
            });
        });
    }
    const std::string chart = config.chart_js;
    server.Get("/static/chart.js", [chart](const httplib::Request&, httplib::Response& res) {
        serve_file(chart, "text/javascript", res);
    });
    server.Get(R"(/static/([a-z0-9_-]+)\.(js|css|svg))", [static_dir](const httplib::Request& req,
                                                                      httplib::Response& res) {
        const std::string ext = req.matches[2];
        const char* type = ext == "js"    ? "text/javascript"
                           : ext == "css" ? "text/css"
                                          : "image/svg+xml";
        serve_file(static_dir + "/" + std::string(req.matches[1]) + "." + ext, type, res);
    });
    server.Post("/login", [&config, &queries](const httplib::Request& req, httplib::Response& res) {
        handle_login(config, queries, req, res);
    });
    server.Post("/logout",
                [&config, &queries](const httplib::Request& req, httplib::Response& res) {
                    handle_logout(config, queries, req, res);
                });
    install_api(server, config, queries);
}

} // namespace rua::web
