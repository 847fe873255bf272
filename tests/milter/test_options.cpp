// The command line: every option, and the usage errors.
#include "options.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace rua::milter;

namespace {

Options parse(std::vector<std::string> args) {
    args.insert(args.begin(), "rua-milter");
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    return parse_options(static_cast<int>(args.size()), argv.data());
}

std::string usage_error(std::vector<std::string> args) {
    try {
        parse(std::move(args));
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("options default to the system config in the background") {
    auto options = parse({});
    CHECK(options.config == "/etc/rua-milter.conf");
    CHECK_FALSE(options.check_only);
    CHECK_FALSE(options.foreground);
    CHECK_FALSE(options.test_file.has_value());
}

TEST_CASE("every option is recognised") {
    auto options = parse({"-c", "/tmp/x.conf", "-f", "-t", "msg.eml", "-r", "dmarc@example.net"});
    CHECK(options.config == "/tmp/x.conf");
    CHECK(options.foreground);
    CHECK(options.test_file == std::optional<std::string>("msg.eml"));
    CHECK(options.test_rcpt == std::optional<std::string>("dmarc@example.net"));
    CHECK(parse({"-n"}).check_only);
    CHECK(parse({"-n"}).check_database);
    CHECK_FALSE(parse({"-n", "-N"}).check_database);
    CHECK(parse({"-V"}).version);
    CHECK(parse({"-h"}).help);
}

TEST_CASE("usage errors are one line") {
    CHECK(usage_error({"-c"}) == "option -c needs a file name");
    CHECK(usage_error({"-x"}) == "unknown option \"-x\"");
    CHECK(usage_error({"-r", "a@b"}) == "-r is only valid with -t");
    CHECK(usage_error({"-n", "-t", "m"}) == "-n and -t cannot be combined");
    CHECK(usage_error({"-N"}) == "-N is only valid with -n");
}

TEST_CASE("the help text has every manual section") {
    const std::string help = help_text();
    for (const char* section : {"NAME\n", "SYNOPSIS\n", "DESCRIPTION\n", "OPTIONS\n", "SIGNALS\n",
                                "FILES\n", "EXIT STATUS\n", "SEE ALSO\n"}) {
        CHECK_MESSAGE(help.find(section) != std::string::npos, section);
    }
}
