// The metrics: the exact exposition text for known counter values, the
// histogram's bucket arithmetic, the MetricsSocket value parser, and the
// /metrics listener answering real requests on a loopback port.
#include "config.hpp"
#include "config_store.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "metrics_listener.hpp"
#include "reload.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace rua;
using namespace rua::milter;

namespace {

const std::vector<std::string> k_kinds{"aggregate", "tlsrpt", "failure"};

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

// Sends `request` to 127.0.0.1:port and returns everything read until the
// server closes.
std::string exchange(std::uint16_t port, const std::string& request) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size()));
    std::string out;
    char buffer[4096];
    for (;;) {
        const auto got = recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) {
            break;
        }
        out.append(buffer, static_cast<std::size_t>(got));
    }
    close(fd);
    return out;
}

MetricsSocket loopback_any_port() {
    MetricsSocket where;
    where.spec = "inet:0@127.0.0.1";
    where.address = "127.0.0.1";
    where.port = 0;
    return where;
}

} // namespace

TEST_CASE("a fresh Metrics prints every series, zeros included, with HELP and TYPE") {
    Metrics metrics(k_kinds);
    Gauges gauges;
    const std::string text = metrics.render(gauges, "1.2.3");
    std::string expected = "# HELP rua_milter_build_info The running rua-milter's version "
                           "(always 1).\n"
                           "# TYPE rua_milter_build_info gauge\n"
                           "rua_milter_build_info{version=\"1.2.3\"} 1\n"
                           "# HELP rua_milter_messages_total Messages for a rua address "
                           "answered, by the kind of their first report (unknown: none, or "
                           "answered before the body was read, as a 451 while buffering) and "
                           "the verdict.\n"
                           "# TYPE rua_milter_messages_total counter\n";
    for (const char* kind : {"aggregate", "tlsrpt", "failure", "unknown"}) {
        for (const char* verdict : {"stored", "duplicate", "quarantined", "rejected", "tempfail"}) {
            expected += std::string("rua_milter_messages_total{kind=\"") + kind + "\",verdict=\"" +
                        verdict + "\"} 0\n";
        }
    }
    expected += "# HELP rua_milter_rcpt_rejected_total RCPTs at a report domain refused "
                "because the address is not a registered rua.\n"
                "# TYPE rua_milter_rcpt_rejected_total counter\n"
                "rua_milter_rcpt_rejected_total 0\n"
                "# HELP rua_milter_tempfail_total 4xx answers (RCPT or message), by reason.\n"
                "# TYPE rua_milter_tempfail_total counter\n"
                "rua_milter_tempfail_total{reason=\"database\"} 0\n"
                "rua_milter_tempfail_total{reason=\"deadline\"} 0\n"
                "rua_milter_tempfail_total{reason=\"overload\"} 0\n"
                "rua_milter_tempfail_total{reason=\"registry\"} 0\n"
                "rua_milter_tempfail_total{reason=\"internal\"} 0\n"
                "# HELP rua_milter_eom_seconds Time from end of message to the verdict, for "
                "messages to a rua address.\n"
                "# TYPE rua_milter_eom_seconds histogram\n";
    for (const char* le : {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
                           "10", "30", "60", "120", "+Inf"}) {
        expected += std::string("rua_milter_eom_seconds_bucket{le=\"") + le + "\"} 0\n";
    }
    expected += "rua_milter_eom_seconds_sum 0.000000\n"
                "rua_milter_eom_seconds_count 0\n"
                "# HELP rua_milter_inflight_messages Messages for a rua address between DATA "
                "and their answer.\n"
                "# TYPE rua_milter_inflight_messages gauge\n"
                "rua_milter_inflight_messages 0\n"
                "# HELP rua_milter_inflight_bytes Bytes of MaxInFlightBytes held by messages "
                "now (buffered and decompressed).\n"
                "# TYPE rua_milter_inflight_bytes gauge\n"
                "rua_milter_inflight_bytes 0\n"
                "# HELP rua_milter_registry_age_seconds Seconds since the rua registry last "
                "loaded (+Inf: never loaded).\n"
                "# TYPE rua_milter_registry_age_seconds gauge\n"
                "rua_milter_registry_age_seconds +Inf\n"
                "# HELP rua_milter_db_pool_in_use Database connections lent out by the pool "
                "now.\n"
                "# TYPE rua_milter_db_pool_in_use gauge\n"
                "rua_milter_db_pool_in_use 0\n";
    CHECK(text == expected);
}

TEST_CASE("known counter values print as exact lines; an unregistered kind counts as unknown") {
    Metrics metrics(k_kinds);
    for (int i = 0; i < 3; ++i) {
        metrics.message("aggregate", Verdict::stored);
    }
    metrics.message("tlsrpt", Verdict::duplicate);
    metrics.message("", Verdict::quarantined);
    metrics.message("Aggregate\"} 9", Verdict::rejected); // never a label of its own
    metrics.message("failure", Verdict::try_later);
    metrics.rcpt_rejected();
    metrics.rcpt_rejected();
    metrics.tempfail(TempfailReason::database);
    metrics.tempfail(TempfailReason::registry);
    metrics.tempfail(TempfailReason::registry);
    Gauges gauges;
    gauges.inflight_bytes = 4096;
    gauges.registry_age = std::chrono::milliseconds(12'345);
    gauges.db_pool_in_use = 2;
    const std::string text = metrics.render(gauges, "v\"1\\2");
    CHECK(has_line(text, "rua_milter_build_info{version=\"v\\\"1\\\\2\"} 1"));
    CHECK(has_line(text, "rua_milter_messages_total{kind=\"aggregate\",verdict=\"stored\"} 3"));
    CHECK(has_line(text, "rua_milter_messages_total{kind=\"tlsrpt\",verdict=\"duplicate\"} 1"));
    CHECK(has_line(text, "rua_milter_messages_total{kind=\"unknown\",verdict=\"quarantined\"} 1"));
    CHECK(has_line(text, "rua_milter_messages_total{kind=\"unknown\",verdict=\"rejected\"} 1"));
    CHECK(has_line(text, "rua_milter_messages_total{kind=\"failure\",verdict=\"tempfail\"} 1"));
    CHECK(has_line(text, "rua_milter_messages_total{kind=\"aggregate\",verdict=\"duplicate\"} 0"));
    CHECK(text.find("Aggregate") == std::string::npos);
    CHECK(metrics.messages("aggregate", Verdict::stored) == 3);
    CHECK(has_line(text, "rua_milter_rcpt_rejected_total 2"));
    CHECK(has_line(text, "rua_milter_tempfail_total{reason=\"database\"} 1"));
    CHECK(has_line(text, "rua_milter_tempfail_total{reason=\"registry\"} 2"));
    CHECK(has_line(text, "rua_milter_tempfail_total{reason=\"overload\"} 0"));
    CHECK(has_line(text, "rua_milter_inflight_bytes 4096"));
    CHECK(has_line(text, "rua_milter_registry_age_seconds 12.345"));
    CHECK(has_line(text, "rua_milter_db_pool_in_use 2"));
}

TEST_CASE("histogram: a bound is inclusive, buckets are cumulative, sum is exact") {
    Metrics metrics(k_kinds);
    using std::chrono::microseconds;
    metrics.eom_duration(microseconds(5'000));       // exactly 0.005: le="0.005"
    metrics.eom_duration(microseconds(5'001));       // just past: le="0.01"
    metrics.eom_duration(microseconds(1'500'000));   // le="2.5"
    metrics.eom_duration(microseconds(200'000'000)); // past 120: +Inf only
    metrics.eom_duration(microseconds(-7));          // a clock step back counts as 0
    const std::string text = metrics.render(Gauges{}, "0");
    CHECK(has_line(text, "rua_milter_eom_seconds_bucket{le=\"0.005\"} 2"));
    CHECK(has_line(text, "rua_milter_eom_seconds_bucket{le=\"0.01\"} 3"));
    CHECK(has_line(text, "rua_milter_eom_seconds_bucket{le=\"1\"} 3"));
    CHECK(has_line(text, "rua_milter_eom_seconds_bucket{le=\"2.5\"} 4"));
    CHECK(has_line(text, "rua_milter_eom_seconds_bucket{le=\"120\"} 4"));
    CHECK(has_line(text, "rua_milter_eom_seconds_bucket{le=\"+Inf\"} 5"));
    CHECK(has_line(text, "rua_milter_eom_seconds_sum 201.510001"));
    CHECK(has_line(text, "rua_milter_eom_seconds_count 5"));
}

TEST_CASE("the in-flight gauge follows InFlight holders, moved or destroyed") {
    Metrics metrics(k_kinds);
    {
        auto first = metrics.message_started();
        auto second = metrics.message_started();
        CHECK(metrics.inflight_messages() == 2);
        Metrics::InFlight moved(std::move(first));
        CHECK(metrics.inflight_messages() == 2);
        second = std::move(moved); // second's own count goes
        CHECK(metrics.inflight_messages() == 1);
    }
    CHECK(metrics.inflight_messages() == 0);
    CHECK(has_line(metrics.render(Gauges{}, "0"), "rua_milter_inflight_messages 0"));
}

TEST_CASE("MetricsSocket: the address defaults to loopback and must be numeric") {
    auto plain = parse_metrics_socket("inet:9100");
    CHECK(plain.address == "127.0.0.1");
    CHECK(plain.port == 9100);
    CHECK_FALSE(plain.inet6);
    CHECK(parse_metrics_socket("inet:9100@localhost").address == "127.0.0.1");
    CHECK(parse_metrics_socket("inet:9100@0.0.0.0").address == "0.0.0.0"); // written out
    CHECK(parse_metrics_socket("inet6:9100").address == "::1");
    CHECK(parse_metrics_socket("inet6:9100@[::1]").address == "::1");
    CHECK(parse_metrics_socket("INET:1@127.0.0.2").spec == "INET:1@127.0.0.2");

    const auto error_of = [](const char* text) {
        try {
            parse_metrics_socket(text);
        } catch (const ValueError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(error_of("inet:http@127.0.0.1") == "\"inet:http@127.0.0.1\": port \"http\" is not a "
                                             "number");
    CHECK(error_of("inet:70000") == "\"inet:70000\": port 70000 is out of range (1..65535)");
    CHECK(error_of("inet:0") == "\"inet:0\": port 0 is out of range (1..65535)");
    CHECK(error_of("inet:9100@metrics.example") ==
          "\"inet:9100@metrics.example\": \"metrics.example\" is not a numeric IPv4 address "
          "(host names are not resolved: write the address)");
    CHECK(error_of("inet:9100@::1") == "\"inet:9100@::1\": \"::1\" is not a numeric IPv4 "
                                       "address (host names are not resolved: write the address)");
    CHECK(error_of("unix:/run/metrics.sock") ==
          "\"unix:/run/metrics.sock\" is not inet:PORT@ADDRESS or inet6:PORT@ADDRESS");
    CHECK(error_of("9100") == "\"9100\" is not inet:PORT@ADDRESS or inet6:PORT@ADDRESS");
}

TEST_CASE("MetricsSocket is off by default and reported as file:line in the config") {
    const std::string base = "DatabaseURI postgresql:///rua\nReportDomains example.net\n";
    CHECK_FALSE(parse_config(base, "m.conf")->metrics_socket);
    auto config = parse_config(base + "MetricsSocket inet:9150@127.0.0.1\n", "m.conf");
    REQUIRE(config->metrics_socket);
    CHECK(config->metrics_socket->port == 9150);
    try {
        parse_config(base + "MetricsSocket inet:x\n", "m.conf");
        FAIL("accepted");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == "m.conf:3: MetricsSocket: \"inet:x\": port \"x\" is not "
                                       "a number");
    }
}

TEST_CASE("requests: GET /metrics renders, other paths 404, other methods 405, junk 400") {
    const auto render = [] { return std::string("body\n"); };
    CHECK(answer_request("GET /metrics HTTP/1.1\r\nHost: x", render).status == 200);
    CHECK(answer_request("GET /metrics HTTP/1.1\r\nHost: x", render).body == "body\n");
    CHECK(answer_request("GET /metrics?name[]=x HTTP/1.0", render).status == 200);
    CHECK(answer_request("GET / HTTP/1.1", render).status == 404);
    CHECK(answer_request("GET /metrics/ HTTP/1.1", render).status == 404);
    CHECK(answer_request("POST /metrics HTTP/1.1", render).status == 405);
    CHECK(answer_request("HEAD /metrics HTTP/1.1", render).status == 405);
    CHECK(answer_request("POST /other HTTP/1.1", render).status == 404);
    CHECK(answer_request("GET /metrics", render).status == 400);
    CHECK(answer_request("\x16\x03\x01 binary", render).status == 400);
    CHECK(answer_request("", render).status == 400);
    CHECK(http_response(HttpAnswer{405, "no\n"}) == "HTTP/1.1 405 Method Not Allowed\r\n"
                                                    "Content-Type: text/plain; charset=utf-8\r\n"
                                                    "Content-Length: 3\r\n"
                                                    "Allow: GET\r\n"
                                                    "Connection: close\r\n\r\nno\n");
}

TEST_CASE("the listener answers real requests on loopback, one after another") {
    MetricsListener listener(loopback_any_port());
    REQUIRE(listener.port() != 0);
    int scrapes = 0;
    listener.start([&scrapes] { return "scrape " + std::to_string(++scrapes) + "\n"; });
    CHECK(exchange(listener.port(), "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n") ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
          "Content-Length: 9\r\nConnection: close\r\n\r\nscrape 1\n");
    CHECK(exchange(listener.port(), "GET /nope HTTP/1.1\r\n\r\n")
              .rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
    CHECK(exchange(listener.port(), "DELETE /metrics HTTP/1.1\r\n\r\n")
              .rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
    // A request head past the bound is refused, not read on.
    const std::string huge =
        "GET /metrics HTTP/1.1\r\nX-Pad: " + std::string(MetricsListener::k_max_request + 10, 'a') +
        "\r\n\r\n";
    CHECK(exchange(listener.port(), huge)
              .rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0) == 0);
    CHECK(exchange(listener.port(), "GET /metrics HTTP/1.1\r\n\r\n").find("scrape 2\n") !=
          std::string::npos);
    listener.stop();
    listener.stop(); // idempotent
}

TEST_CASE("a port already in use is a one-line MetricsBindError") {
    MetricsListener first(loopback_any_port());
    MetricsSocket again = loopback_any_port();
    again.port = first.port();
    again.spec = "inet:" + std::to_string(first.port()) + "@127.0.0.1";
    try {
        MetricsListener second(again);
        FAIL("bound twice");
    } catch (const MetricsBindError& e) {
        CHECK(std::string(e.what()) ==
              "cannot listen on " + again.spec + ": Address already in use");
    }
}

TEST_CASE("a reload that changes MetricsSocket says it needs a restart") {
    char path[] = "/tmp/rua-metrics-reload-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    const std::string base = "DatabaseURI postgresql:///rua\nReportDomains example.net\n";
    ConfigStore store(parse_config(base + "MetricsSocket inet:9893\n", path));
    std::ofstream(path) << base + "MetricsSocket inet:9894\n";
    std::vector<std::string> lines;
    log_set_sink([&lines](LogLevel, std::string_view line) { lines.emplace_back(line); });
    const bool reloaded = reload_config(path, store);
    log_set_sink(nullptr);
    static_cast<void>(std::remove(path));
    CHECK(reloaded);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines.front() == "reload: MetricsSocket changed; it takes effect only after a restart");
}
