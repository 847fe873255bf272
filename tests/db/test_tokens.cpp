// Database tests of rua-web's API tokens through rua::Admin (sql/0013): the
// token's form, only its sha256 stored, tokens per account or admin,
// revocation ending the token's web sessions, and the errors for an unknown
// account or id.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>

#include <regex>
#include <string>

using rua::test::ScratchDb;

TEST_CASE("a new token is rua_ and 43 base64url characters, and only its sha256 is stored") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Admin admin(pool);
    admin.add_account("acme");
    const auto token = admin.add_token(std::string("acme"), std::string("grafana"));
    CHECK(std::regex_match(token, std::regex("rua_[A-Za-z0-9_-]{43}")));
    CHECK(db.scalar("SELECT count(*) FROM api_token WHERE hash = sha256(convert_to('" + token +
                    "', 'UTF8'))") == "1");
    CHECK(db.scalar("SELECT concat_ws('|', a.name, t.admin, t.label, t.revoked_at IS NULL) FROM "
                    "api_token t JOIN account a ON a.id = t.account_id") == "acme|f|grafana|t");
    const auto admin_token = admin.add_token(std::nullopt, std::nullopt);
    CHECK(admin_token != token);
    CHECK(db.scalar("SELECT concat_ws('|', account_id IS NULL, admin, label IS NULL) FROM "
                    "api_token WHERE hash = sha256(convert_to('" +
                    admin_token + "', 'UTF8'))") == "t|t|t");
}

TEST_CASE("tokens are listed by id, per account when asked, without their hash") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Admin admin(pool);
    admin.add_account("acme");
    admin.add_account("other");
    admin.add_token(std::string("acme"), std::string("one"));
    admin.add_token(std::nullopt, std::string("ops"));
    admin.add_token(std::string("other"), std::nullopt);
    const auto all = admin.tokens(std::nullopt);
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == 1);
    CHECK(all[0].account == std::optional<std::string>("acme"));
    CHECK(all[0].label == std::optional<std::string>("one"));
    CHECK_FALSE(all[1].account.has_value());
    CHECK(all[1].label == std::optional<std::string>("ops"));
    CHECK_FALSE(all[2].label.has_value());
    CHECK(all[2].created_at > 1700000000);
    CHECK_FALSE(all[2].revoked_at.has_value());
    const auto acme = admin.tokens(std::string("acme"));
    REQUIRE(acme.size() == 1);
    CHECK(acme[0].id == 1);
    CHECK_THROWS_WITH_AS(admin.tokens(std::string("nosuch")), "account \"nosuch\" does not exist",
                         rua::NotFound);
}

TEST_CASE("revoking a token ends its sessions and only its own; an unknown id is NotFound") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Admin admin(pool);
    admin.add_account("acme");
    admin.add_token(std::string("acme"), std::nullopt);
    admin.add_token(std::string("acme"), std::nullopt);
    db.exec("INSERT INTO web_session (hash, token_id, expires_at) VALUES "
            "(sha256('a'), 1, now() + interval '1 hour'), (sha256('b'), 1, now() + interval "
            "'1 hour'), (sha256('c'), 2, now() + interval '1 hour')");
    CHECK(admin.revoke_token(1));
    CHECK(db.scalar("SELECT string_agg(token_id::text, ',') FROM web_session") == "2");
    CHECK(db.scalar("SELECT string_agg((revoked_at IS NOT NULL)::text, ',' ORDER BY id) FROM "
                    "api_token") == "true,false");
    const auto revoked_at = db.scalar("SELECT revoked_at FROM api_token WHERE id = 1");
    CHECK_FALSE(admin.revoke_token(1));
    CHECK(db.scalar("SELECT revoked_at FROM api_token WHERE id = 1") == revoked_at);
    REQUIRE(admin.tokens(std::nullopt)[0].revoked_at.has_value());
    CHECK_THROWS_WITH_AS(admin.revoke_token(99), "token 99 does not exist", rua::NotFound);
}

TEST_CASE("a token for an unknown account, or with a bad label, is refused and nothing stored") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Admin admin(pool);
    CHECK_THROWS_WITH_AS(admin.add_token(std::string("nosuch"), std::nullopt),
                         "account \"nosuch\" does not exist", rua::NotFound);
    admin.add_account("acme");
    CHECK_THROWS_WITH_AS(admin.add_token(std::string("acme"), std::string("a\nb")),
                         "invalid label: control character", rua::AdminError);
    CHECK_THROWS_WITH_AS(admin.add_token(std::string("acme"), std::string(201, 'x')),
                         "label too long (201 bytes; at most 200)", rua::AdminError);
    CHECK(db.count("api_token") == 0);
    // The table itself refuses a token that is both an account's and admin.
    CHECK_THROWS_AS(db.exec("INSERT INTO api_token (account_id, admin, hash) SELECT id, true, "
                            "sha256('x') FROM account"),
                    pqxx::check_violation);
    // Deleting an account deletes its tokens and their sessions.
    admin.add_token(std::string("acme"), std::nullopt);
    db.exec("INSERT INTO web_session (hash, token_id, expires_at) SELECT sha256('s'), id, now() "
            "FROM api_token");
    db.exec("DELETE FROM account");
    CHECK(db.count("api_token") == 0);
    CHECK(db.count("web_session") == 0);
}
