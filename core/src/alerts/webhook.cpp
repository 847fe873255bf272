// The webhook delivery: one HTTP POST of the event's JSON through libcurl,
// signed with X-Rua-Signature: sha256=<hex HMAC-SHA256 of the body>. http and
// https only, no redirects, bounded connect and total time, no signals (the
// worker's own handlers stay in charge). One try per call: the worker retries.
#include "alerts/mail.hpp"
#include "text.hpp"

#include <rua/alerts.hpp>

#include <fmt/format.h>

#include <curl/curl.h>

#include <memory>

namespace rua::alerts::detail {

namespace {

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The answer's body is not needed: read and dropped.
std::size_t discard(char* /*data*/, std::size_t size, std::size_t count, void* /*user*/) {
    return size * count;
}

void global_init() {
    // Once per process, before any handle (curl_global_init is not
    // thread-safe; the worker is one thread).
    static const CURLcode k_init = curl_global_init(CURL_GLOBAL_DEFAULT);
    (void)k_init;
}

} // namespace

std::string post_webhook(const std::string& url, const std::string& secret, const std::string& body,
                         std::chrono::milliseconds connect_timeout,
                         std::chrono::milliseconds timeout) {
    global_init();
    const std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) {
        return "cannot create an HTTP handle";
    }
    const std::string signature = "X-Rua-Signature: sha256=" + hmac_sha256_hex(secret, body);
    curl_slist* list = nullptr;
    for (const char* line : {"Content-Type: application/json", signature.c_str(),
                             "User-Agent: rua-milter-alerts", "Expect:"}) {
        curl_slist* longer = curl_slist_append(list, line);
        if (longer == nullptr) {
            curl_slist_free_all(list);
            return "out of memory";
        }
        list = longer;
    }
    const std::unique_ptr<curl_slist, SlistDeleter> headers(list);
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    const CURLcode code = curl_easy_perform(h);
    if (code != CURLE_OK) {
        return fmt::format("webhook: {}", curl_easy_strerror(code));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        return fmt::format("webhook: HTTP status {}", status);
    }
    return "";
}

} // namespace rua::alerts::detail
