// The API endpoints. Each runs inside `guarded`: the principal first (401
// without one), then the handler, whose refusals map to 400 (BadRequest),
// 404 (NotVisible: another account's domain looks exactly like none) and
// 503 (TryLater); anything else is logged and answered 500 with no detail.
#include "api.hpp"

#include "auth.hpp"
#include "log.hpp"
#include "params.hpp"
#include "render.hpp"
#include "routes.hpp"

#include <rua/errors.hpp>
#include <rua/json.hpp>

#include <fmt/format.h>

#include <functional>

namespace rua::web {

namespace {

using Handler =
    std::function<void(const query::Principal&, const httplib::Request&, httplib::Response&)>;

constexpr const char* k_json = "application/json";

void json_status(httplib::Response& res, int status, std::string_view message) {
    res.status = status;
    res.set_content(json_error(message), k_json);
}

httplib::Server::Handler guarded(query::Queries& queries, Handler handler) {
    return [&queries, handler = std::move(handler)](const httplib::Request& req,
                                                    httplib::Response& res) {
        res.set_header("Cache-Control", "no-store");
        try {
            const auto who = authenticate(queries, req);
            if (!who) {
                res.set_header("WWW-Authenticate", "Bearer");
                json_status(res, 401, "a valid token or session is required");
                return;
            }
            handler(*who, req, res);
        } catch (const BadRequest& e) {
            json_status(res, 400, e.what());
        } catch (const query::NotVisible&) {
            json_status(res, 404, "not found");
        } catch (const TryLater& e) {
            log_at(LogLevel::warning, "{} {}: {}", req.method, log_quoted(req.path), e.what());
            json_status(res, 503, "the database is unavailable; try again later");
        } catch (const std::exception& e) {
            log_at(LogLevel::error, "{} {}: {}", req.method, log_quoted(req.path), e.what());
            json_status(res, 500, "internal error");
        }
    };
}

void send_csv(httplib::Response& res, const query::Table& table) {
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"{}.csv\"", table.name));
    res.set_content(csv(table), "text/csv; charset=utf-8");
}

// One paged table: JSON page or CSV.
void send_page(httplib::Response& res, const Params& params, const query::Table& table,
               const query::Page& page) {
    if (params.csv()) {
        send_csv(res, table);
    } else {
        res.set_content(json_page(table, page.limit, page.offset), k_json);
    }
}

// Several tables: JSON object, or the CSV of the one `table=` names.
void send_tables(httplib::Response& res, const Params& params,
                 const std::vector<query::Table>& tables, std::string_view prefix = "{") {
    if (params.csv()) {
        const auto wanted = params.text("table").value_or(tables.front().name);
        for (const auto& t : tables) {
            if (t.name == wanted) {
                send_csv(res, t);
                return;
            }
        }
        throw BadRequest("table: not one of this answer's tables");
    }
    auto body = json_tables(tables);
    if (prefix != "{") {
        body = std::string(prefix) + body.substr(1);
    }
    res.set_content(body, k_json);
}

std::string domain_head(const std::string& domain) {
    return "{\"domain\":" + json_quote(domain) + ",";
}

// Prometheus label value: \, " and newline escaped.
std::string label(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

void install_api(httplib::Server& server, const Config& config, query::Queries& queries) {
    const std::int64_t max = config.max_page_size;
    const std::string domain_re = R"(([^/]+))";

    server.Get("/api/v1/openapi.json", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(k_openapi_json, k_json);
    });
    server.Get("/api/v1/whoami",
               guarded(queries, [](const query::Principal& who, const httplib::Request& req,
                                   httplib::Response& res) {
                   const Params params(req.params, {});
                   res.set_content(fmt::format(R"({{"admin":{},"account_id":{}}})", who.admin(),
                                               who.account_id ? std::to_string(*who.account_id)
                                                              : std::string("null")),
                                   k_json);
               }));
    server.Get("/api/v1/domains", guarded(queries, [&queries, max](const query::Principal& who,
                                                                   const httplib::Request& req,
                                                                   httplib::Response& res) {
                   const Params params(req.params, {"q", "limit", "offset", "format"});
                   const auto page = params.page(max);
                   auto search = params.text("q").value_or("");
                   for (auto& c : search) {
                       c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
                   }
                   send_page(res, params, queries.domains(who, search, page), page);
               }));
    server.Get("/api/v1/domains/" + domain_re + "/overview",
               guarded(queries, [&queries](const query::Principal& who, const httplib::Request& req,
                                           httplib::Response& res) {
                   const Params params(req.params, {"since", "format", "table"});
                   const auto domain = domain_value(req.matches[1].str());
                   const auto days = params.days();
                   send_tables(res, params, queries.overview(who, domain, days),
                               domain_head(domain) + fmt::format("\"days\":{},", days));
               }));
    server.Get(
        "/api/v1/domains/" + domain_re + "/sources",
        guarded(queries, [&queries, max](const query::Principal& who, const httplib::Request& req,
                                         httplib::Response& res) {
            const Params params(req.params,
                                {"since", "failing", "reporter", "dkim_domain", "spf_domain",
                                 "sort", "order", "limit", "offset", "format"});
            const auto domain = domain_value(req.matches[1].str());
            const auto page = params.page(max);
            send_page(res, params,
                      queries.sources(who, domain, params.days(), params.source_filter(), page),
                      page);
        }));
    server.Get("/api/v1/domains/" + domain_re + "/sources/([^/]+)",
               guarded(queries, [&queries](const query::Principal& who, const httplib::Request& req,
                                           httplib::Response& res) {
                   const Params params(req.params, {"since", "format", "table"});
                   const auto domain = domain_value(req.matches[1].str());
                   const auto ip = ip_value(req.matches[2].str());
                   send_tables(res, params, queries.source_detail(who, domain, ip, params.days()),
                               domain_head(domain) + "\"source_ip\":" + json_quote(ip) + ",");
               }));
    server.Get("/api/v1/domains/" + domain_re + "/breakdown",
               guarded(queries, [&queries](const query::Principal& who, const httplib::Request& req,
                                           httplib::Response& res) {
                   const Params params(
                       req.params, {"by", "since", "failing", "rollup", "top", "format", "table"});
                   const auto domain = domain_value(req.matches[1].str());
                   const auto q = params.breakdown();
                   send_tables(res, params, queries.breakdown(who, domain, q),
                               domain_head(domain) +
                                   fmt::format(R"("by":{},"days":{},"failing":{},"rollup":{},)"
                                               R"("top":{},)",
                                               json_quote(query::breakdown_name(q.by)), q.days,
                                               q.failing_only, q.rollup, q.top));
               }));
    server.Get("/api/v1/domains/" + domain_re + "/readiness",
               guarded(queries, [&queries](const query::Principal& who, const httplib::Request& req,
                                           httplib::Response& res) {
                   const Params params(req.params, {"since", "rollup", "format", "table"});
                   const auto domain = domain_value(req.matches[1].str());
                   const auto days = params.days();
                   send_tables(res, params,
                               query::readiness_tables(
                                   queries.readiness(who, domain, days, params.flag("rollup"))),
                               domain_head(domain) + fmt::format("\"days\":{},", days));
               }));
    server.Get(
        "/api/v1/domains/" + domain_re + "/reports",
        guarded(queries, [&queries, max](const query::Principal& who, const httplib::Request& req,
                                         httplib::Response& res) {
            const Params params(req.params, {"since", "limit", "offset", "format"});
            const auto domain = domain_value(req.matches[1].str());
            const auto page = params.page(max);
            send_page(res, params, queries.reports(who, domain, params.days(), page), page);
        }));
    server.Get(
        R"(/api/v1/reports/([^/]+))",
        guarded(queries, [&queries, max](const query::Principal& who, const httplib::Request& req,
                                         httplib::Response& res) {
            const Params params(req.params, {"limit", "offset", "format", "table"});
            const auto id = id_value(req.matches[1].str());
            send_tables(res, params, queries.report_detail(who, id, params.page(max)));
        }));
    server.Get(R"(/api/v1/reports/([^/]+)/raw)",
               guarded(queries, [&queries](const query::Principal& who, const httplib::Request& req,
                                           httplib::Response& res) {
                   const Params params(req.params, {});
                   const auto file = queries.report_raw(who, id_value(req.matches[1].str()));
                   res.set_header("Content-Disposition",
                                  fmt::format("attachment; filename=\"{}\"", file.filename));
                   res.set_content(file.data, "application/octet-stream");
               }));
    server.Get("/api/v1/domains/" + domain_re + "/tls",
               guarded(queries, [&queries](const query::Principal& who, const httplib::Request& req,
                                           httplib::Response& res) {
                   const Params params(req.params, {"since", "format", "table"});
                   const auto domain = domain_value(req.matches[1].str());
                   const auto days = params.days();
                   send_tables(res, params, queries.tls(who, domain, days),
                               domain_head(domain) + fmt::format("\"days\":{},", days));
               }));
    server.Get(
        "/api/v1/domains/" + domain_re + "/failures",
        guarded(queries, [&queries, max](const query::Principal& who, const httplib::Request& req,
                                         httplib::Response& res) {
            const Params params(req.params, {"since", "limit", "offset", "format"});
            const auto domain = domain_value(req.matches[1].str());
            const auto page = params.page(max);
            send_page(res, params, queries.failures(who, domain, params.days(), page), page);
        }));
    server.Get(R"(/api/v1/failures/([^/]+))",
               guarded(queries, [&queries](const query::Principal& who, const httplib::Request& req,
                                           httplib::Response& res) {
                   const Params params(req.params, {"format"});
                   send_tables(res, params,
                               {queries.failure_detail(who, id_value(req.matches[1].str()))});
               }));
    server.Get("/api/v1/quarantine", guarded(queries, [&queries, max](const query::Principal& who,
                                                                      const httplib::Request& req,
                                                                      httplib::Response& res) {
                   const Params params(req.params, {"limit", "offset", "format"});
                   const auto page = params.page(max);
                   send_page(res, params, queries.quarantine(who, page), page);
               }));
    server.Get("/api/v1/conflicts", guarded(queries, [&queries, max](const query::Principal& who,
                                                                     const httplib::Request& req,
                                                                     httplib::Response& res) {
                   const Params params(req.params, {"limit", "offset", "format"});
                   const auto page = params.page(max);
                   send_page(res, params, queries.conflicts(who, page), page);
               }));
    server.Get("/api/v1/alerts", guarded(queries, [&queries, max](const query::Principal& who,
                                                                  const httplib::Request& req,
                                                                  httplib::Response& res) {
                   const Params params(req.params, {"since", "limit", "offset", "format"});
                   const auto page = params.page(max);
                   send_page(res, params, queries.alerts(who, params.days(), page), page);
               }));
    // Operator's Prometheus scrape: an admin Bearer token only (it names
    // every tenant's domains), at most MetricsMaxDomains domains.
    const std::int64_t metrics_max = config.metrics_max_domains;
    server.Get("/metrics", [&queries, metrics_max](const httplib::Request& req,
                                                   httplib::Response& res) {
        res.set_header("Cache-Control", "no-store");
        try {
            const auto who = authenticate(queries, req, true);
            if (!who) {
                res.set_header("WWW-Authenticate", "Bearer");
                json_status(res, 401, "an admin token is required");
                return;
            }
            const auto table = queries.metrics(*who, metrics_max);
            std::string body =
                "# HELP rua_web_domain_messages_30d Messages reported for the domain in the "
                "last 30 days.\n# TYPE rua_web_domain_messages_30d gauge\n";
            for (const auto& row : table.rows) {
                body += fmt::format("rua_web_domain_messages_30d{{domain=\"{}\"}} {}\n",
                                    label(std::get<std::string>(row[0])),
                                    std::get<std::int64_t>(row[1]));
            }
            body += "# HELP rua_web_domain_compliant_messages_30d Messages that passed DMARC "
                    "for the domain in the last 30 days.\n"
                    "# TYPE rua_web_domain_compliant_messages_30d gauge\n";
            for (const auto& row : table.rows) {
                body += fmt::format("rua_web_domain_compliant_messages_30d{{domain=\"{}\"}} {}\n",
                                    label(std::get<std::string>(row[0])),
                                    std::get<std::int64_t>(row[2]));
            }
            res.set_content(body, "text/plain; version=0.0.4; charset=utf-8");
        } catch (const query::NotVisible&) {
            json_status(res, 404, "not found");
        } catch (const TryLater& e) {
            log_at(LogLevel::warning, "GET /metrics: {}", e.what());
            json_status(res, 503, "the database is unavailable; try again later");
        } catch (const std::exception& e) {
            log_at(LogLevel::error, "GET /metrics: {}", e.what());
            json_status(res, 500, "internal error");
        }
    });
    // Anything else under /api/: a JSON 404, not the pages' text one.
    server.Get(R"(/api/.*)", [](const httplib::Request&, httplib::Response& res) {
        json_status(res, 404, "no such endpoint");
    });
}

} // namespace rua::web
