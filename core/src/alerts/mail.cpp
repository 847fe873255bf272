// The alert e-mail: builds the message text (headers that no sender text can
// break: addresses checked, the subject encoded as RFC 2047 words when it is
// not plain ASCII; the body in base64) and hands it to the mail command on
// its standard input (no shell). Never puts a CR or LF of the caller's into
// a header.
#include "alerts/mail.hpp"

#include "text.hpp"

#include <rua/alerts.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <system_error>

namespace rua::alerts {

namespace {

constexpr std::size_t k_max_address = 254;
// Bytes of text per encoded word: 45 bytes are 60 base64 characters, and
// "=?UTF-8?B?" + 60 + "?=" is 72, under RFC 2047's 75.
constexpr std::size_t k_word_bytes = 45;
constexpr std::size_t k_body_line = 76;

std::string base64(std::string_view bytes) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U) |
                       (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U) |
                       static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
        out += k_alphabet[(n >> 18U) & 63U];
        out += k_alphabet[(n >> 12U) & 63U];
        out += k_alphabet[(n >> 6U) & 63U];
        out += k_alphabet[n & 63U];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U;
        if (rest == 2) {
            n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U;
        }
        out += k_alphabet[(n >> 18U) & 63U];
        out += k_alphabet[(n >> 12U) & 63U];
        out += rest == 2 ? k_alphabet[(n >> 6U) & 63U] : '=';
        out += '=';
    }
    return out;
}

// A plain addr-spec: local@domain, printable ASCII, none of the characters
// that would start a display name, a group, a comment or another address.
void check_address(std::string_view what, std::string_view address) {
    const auto at = address.rfind('@');
    const bool shape = !address.empty() && address.size() <= k_max_address &&
                       at != std::string_view::npos && at > 0 && at + 1 < address.size();
    const bool chars = std::all_of(address.begin(), address.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > ' ' && u < 0x7f &&
               std::string_view("<>()[],;:\"\\").find(c) == std::string_view::npos;
    });
    if (!shape || !chars) {
        throw BadInput(fmt::format("invalid {} address {}", what, rua::detail::excerpt(address)));
    }
}

bool plain_header_text(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) {
                           const auto u = static_cast<unsigned char>(c);
                           return u >= ' ' && u < 0x7f;
                       }) &&
           text.find("=?") == std::string_view::npos;
}

// The subject as one or more encoded words, each of whole UTF-8 sequences,
// joined by folding white space.
std::string encode_subject(std::string_view subject) {
    const std::string text = rua::detail::valid_utf8(subject);
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = start;
        while (end < text.size()) {
            const std::size_t n = std::max<std::size_t>(
                1, rua::detail::utf8_sequence(std::string_view(text).substr(end)));
            if (end + n - start > k_word_bytes) {
                break;
            }
            end += n;
        }
        if (end == start) {
            end = start + 1;
        }
        out += out.empty() ? "" : "\r\n ";
        out += "=?UTF-8?B?" + base64(std::string_view(text).substr(start, end - start)) + "?=";
        start = end;
    }
    return out;
}

} // namespace

std::string build_mail(const MailMessage& message) {
    check_address("From", message.from);
    check_address("To", message.to);
    check_address("Message-ID", message.message_id);
    if (!plain_header_text(message.date)) {
        throw BadInput("invalid Date");
    }
    std::string out;
    out += "From: " + message.from + "\r\n";
    out += "To: " + message.to + "\r\n";
    out += "Subject: ";
    out += plain_header_text(message.subject) && message.subject.size() <= 900
               ? message.subject
               : encode_subject(message.subject);
    out += "\r\n";
    out += "Date: " + message.date + "\r\n";
    out += "Message-ID: <" + message.message_id + ">\r\n";
    out += "Auto-Submitted: auto-generated\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    const std::string body = base64(rua::detail::valid_utf8(message.body));
    for (std::size_t i = 0; i < body.size(); i += k_body_line) {
        out += body.substr(i, k_body_line) + "\r\n";
    }
    return out;
}

namespace detail {

std::string run_mail_command(const std::vector<std::string>& command, std::string_view message,
                             std::chrono::milliseconds timeout) {
    if (command.empty()) {
        return "no mail command";
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return fmt::format("pipe: {}", std::generic_category().message(errno));
    }
    std::vector<char*> argv;
    std::vector<std::string> words = command;
    argv.reserve(words.size() + 1);
    for (auto& word : words) {
        argv.push_back(word.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return fmt::format("fork: {}", std::generic_category().message(errno));
    }
    if (pid == 0) {
        // The child: only async-signal-safe calls until exec.
        ::dup2(fds[0], STDIN_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[0]);
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string error;
    std::size_t written = 0;
    while (written < message.size()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            error = "mail command timed out";
            break;
        }
        pollfd p{fds[1], POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        const auto n = ::write(fds[1], message.data() + written, message.size() - written);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            error = fmt::format("writing to the mail command: {}",
                                std::generic_category().message(errno));
            break;
        }
        written += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            break;
        }
        if (done < 0 && errno != EINTR) {
            return fmt::format("waitpid: {}", std::generic_category().message(errno));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return "mail command timed out";
        }
        ::poll(nullptr, 0, 20); // bounded by the deadline above
    }
    if (!error.empty()) {
        return error;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return "";
    }
    if (WIFEXITED(status)) {
        return fmt::format("mail command exited with status {}", WEXITSTATUS(status));
    }
    return fmt::format("mail command killed by signal {}", WTERMSIG(status));
}

} // namespace detail

} // namespace rua::alerts
