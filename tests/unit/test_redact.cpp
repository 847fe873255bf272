// Credential redaction: every form of password a connection string can
// carry is masked, and everything else passes through byte for byte.
#include "rua/redact.hpp"

#include <doctest/doctest.h>

#include <iterator>
#include <string>

using rua::redact_credentials;

namespace {

struct Case {
    const char* input;
    const char* expected;
};

void check_table(const Case* cases, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        CAPTURE(cases[i].input);
        CHECK(redact_credentials(cases[i].input) == cases[i].expected);
        // Idempotent: the redacted text redacts to itself.
        CHECK(redact_credentials(cases[i].expected) == cases[i].expected);
    }
}

} // namespace

TEST_CASE("redact masks the password of a URI's userinfo") {
    const Case cases[] = {
        {"postgresql://rua:s3cret@db.example/rua", "postgresql://rua:***@db.example/rua"},
        {"postgres://rua:s3cret@db.example/rua", "postgres://rua:***@db.example/rua"},
        {"PostgreSQL://rua:s3cret@db/rua", "PostgreSQL://rua:***@db/rua"},
        {"postgresql://:s3cret@db/rua", "postgresql://:***@db/rua"},
        {"postgresql://rua:s3cret@", "postgresql://rua:***@"},
        // A password holding '@', '/', '?' or ':' is hidden whole.
        {"postgresql://rua:p@ss/w?rd:x@db:5432/rua", "postgresql://rua:***@db:5432/rua"},
        {"postgresql://rua:%40s3cret@[::1]:5432/rua", "postgresql://rua:***@[::1]:5432/rua"},
    };
    check_table(cases, std::size(cases));
}

TEST_CASE("redact masks a password query parameter, and only its value") {
    const Case cases[] = {
        {"postgresql:///rua?host=/run/pg&password=s3cret&sslmode=require",
         "postgresql:///rua?host=/run/pg&password=***&sslmode=require"},
        {"postgresql://db/rua?password=s3cret", "postgresql://db/rua?password=***"},
        {"postgresql://db/rua?PASSWORD=s3cret#frag", "postgresql://db/rua?PASSWORD=***#frag"},
        {"postgresql://db/rua?sslpassword=k3y&user=rua",
         "postgresql://db/rua?sslpassword=***&user=rua"},
        {"postgresql://u:a@db/rua?password=b", "postgresql://u:***@db/rua?password=***"},
    };
    check_table(cases, std::size(cases));
}

TEST_CASE("redact masks password keywords of a key=value conninfo") {
    const Case cases[] = {
        {"host=db user=rua password=s3cret dbname=rua", "host=db user=rua password=*** dbname=rua"},
        {"host=db password = s3cret", "host=db password = ***"},
        {"password='with \\' quote and blank' dbname=rua", "password='***' dbname=rua"},
        {"password='unterminated", "password='***'"},
        {"sslpassword=k3y host=db", "sslpassword=*** host=db"},
        {"Password=s3cret", "Password=***"},
        {"PGPASSWORD=s3cret ruactl", "PGPASSWORD=*** ruactl"},
        // A conninfo quoted in a message keeps its closing quote.
        {"invalid \"password=s3cret\" here", "invalid \"password=***\" here"},
        {"option \"host=db password=s3cret\"", "option \"host=db password=***\""},
        {"option \"host=db password=s3cret\": bad", "option \"host=db password=***\": bad"},
        // A quote inside the password is part of it.
        {"password=ab\"cd'ef host=db", "password=*** host=db"},
    };
    check_table(cases, std::size(cases));
}

TEST_CASE("redact finds URIs inside messages and ends them at the quote or blank") {
    const Case cases[] = {
        {"cannot connect to \"postgresql://rua:s3 cret@db/rua\": no route",
         "cannot connect to \"postgresql://rua:***@db/rua\": no route"},
        {"DatabaseURI 'postgres://rua:s3cret@db/rua' is bad; see dmarc@example.com",
         "DatabaseURI 'postgres://rua:***@db/rua' is bad; see dmarc@example.com"},
        {"a postgresql://a:1@h/x and postgresql://b:2@h/y",
         "a postgresql://a:***@h/x and postgresql://b:***@h/y"},
        {"line one postgresql://a:1@h\nline two", "line one postgresql://a:***@h\nline two"},
        {"dbname=postgresql://rua:s3cret@db/rua", "dbname=postgresql://rua:***@db/rua"},
    };
    check_table(cases, std::size(cases));
}

TEST_CASE("redact leaves text without credentials unchanged") {
    const Case cases[] = {
        {"", ""},
        {"postgresql://rua@db/rua", "postgresql://rua@db/rua"},
        {"postgresql:///rua?host=/run/postgresql", "postgresql:///rua?host=/run/postgresql"},
        {"postgresql://db:5432/rua", "postgresql://db:5432/rua"},
        {"postgresql://", "postgresql://"},
        {"password", "password"},
        {"password=", "password="},
        {"passwords are never logged", "passwords are never logged"},
        {"mailto:dmarc@example.com", "mailto:dmarc@example.com"},
        {"FATAL:  password authentication failed for user \"rua\"",
         "FATAL:  password authentication failed for user \"rua\""},
    };
    check_table(cases, std::size(cases));
}

TEST_CASE("redact keeps bytes that are not text") {
    const std::string input("a\0b postgresql://u:\xff\0x@h", 24);
    const std::string expected("a\0b postgresql://u:***@h", 24);
    CHECK(redact_credentials(input) == expected);
}
