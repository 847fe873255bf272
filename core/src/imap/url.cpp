// The mailbox URL of `ruactl fetch` (imaps://user@host[:port]/MAILBOX),
// parsed by libcurl's URL parser so that it means exactly what libcurl
// will connect to. Refuses a password in the URL: it would be seen by
// every user of the machine in the process list.
#include "imap/response.hpp"

#include <rua/errors.hpp>
#include <rua/imap.hpp>

#include <fmt/format.h>

#include <curl/curl.h>

#include <memory>

namespace rua::imap {

namespace {

struct UrlDeleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct TextDeleter {
    void operator()(char* text) const { curl_free(text); }
};

// One part of the URL (decoded when `flags` says so), or nullopt when absent.
std::optional<std::string> part(CURLU* url, CURLUPart which, unsigned int flags = 0) {
    char* raw = nullptr;
    const auto rc = curl_url_get(url, which, &raw, flags);
    const std::unique_ptr<char, TextDeleter> owned(raw);
    if (rc != CURLUE_OK || raw == nullptr) {
        return std::nullopt;
    }
    return std::string(raw);
}

} // namespace

std::string MailboxUrl::display() const {
    return fmt::format("{}://{}@{}:{}/{}", implicit_tls ? "imaps" : "imap", user, host, port,
                       mailbox);
}

void check_folder_name(std::string_view what, std::string_view name) {
    constexpr std::size_t k_max_name = 200;
    if (name.empty() || name.size() > k_max_name) {
        throw BadInput(
            fmt::format("{}: a folder name of 1 to {} characters is needed", what, k_max_name));
    }
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        // Non-ASCII names would need IMAP's modified UTF-7; wildcards
        // would make LIST match other folders.
        if (u < 0x20 || u >= 0x7f || c == '%' || c == '*') {
            throw BadInput(fmt::format("{}: folder name '{}' is not printable ASCII without % "
                                       "and * (other names are not supported)",
                                       what, detail::printable(name)));
        }
    }
}

MailboxUrl parse_mailbox_url(std::string_view text) {
    const std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
    if (!url) {
        throw std::bad_alloc();
    }
    const std::string copy(text);
    const auto shown = detail::printable(text);
    if (curl_url_set(url.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
        throw BadInput(
            fmt::format("'{}' is not a URL (expected imaps://USER@HOST/MAILBOX)", shown));
    }
    MailboxUrl out;
    const auto scheme = part(url.get(), CURLUPART_SCHEME).value_or("");
    if (scheme == "imaps") {
        out.implicit_tls = true;
        out.port = 993;
    } else if (scheme == "imap") {
        out.implicit_tls = false;
        out.port = 143;
    } else {
        throw BadInput(fmt::format("'{}': the scheme must be imaps:// or imap://", shown));
    }
    if (part(url.get(), CURLUPART_PASSWORD)) {
        // `shown` would print the password: say only where it is.
        throw BadInput("a password in the URL is refused (every user can read a command line): "
                       "give it with --password-file FILE or in RUA_IMAP_PASSWORD");
    }
    out.user = part(url.get(), CURLUPART_USER, CURLU_URLDECODE).value_or("");
    if (out.user.empty()) {
        throw BadInput(
            fmt::format("'{}': the URL names no user (imaps://USER@HOST/MAILBOX)", shown));
    }
    if (part(url.get(), CURLUPART_OPTIONS) || part(url.get(), CURLUPART_QUERY) ||
        part(url.get(), CURLUPART_FRAGMENT)) {
        throw BadInput(fmt::format("'{}': login options (;AUTH=), a query or a fragment are not "
                                   "supported",
                                   shown));
    }
    out.host = part(url.get(), CURLUPART_HOST).value_or("");
    if (out.host.empty()) {
        throw BadInput(fmt::format("'{}': the URL names no host", shown));
    }
    if (const auto port = part(url.get(), CURLUPART_PORT)) {
        try {
            const auto value = std::stoul(*port);
            if (value == 0 || value > 65535) {
                throw std::out_of_range("port");
            }
            out.port = static_cast<std::uint16_t>(value);
        } catch (const std::logic_error&) {
            throw BadInput(fmt::format("'{}': bad port", shown));
        }
    }
    auto path = part(url.get(), CURLUPART_PATH, CURLU_URLDECODE).value_or("/");
    if (!path.empty() && path.front() == '/') {
        path.erase(0, 1);
    }
    if (!path.empty() && path.back() == '/') {
        path.pop_back();
    }
    out.mailbox = path.empty() ? "INBOX" : path;
    if (out.mailbox.find(';') != std::string::npos) {
        throw BadInput(
            fmt::format("'{}': ;UID= and other IMAP URL parameters are not supported", shown));
    }
    check_folder_name("the URL's mailbox", out.mailbox);
    return out;
}

} // namespace rua::imap
