// The webhook signature (core/src/alerts/hmac.cpp) against RFC 4231's
// HMAC-SHA256 test vectors.
#include <rua/alerts.hpp>

#include <doctest/doctest.h>

#include <string>

using rua::alerts::hmac_sha256_hex;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 1 (20-byte key)") {
    CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2 (short key)") {
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 6 (key longer than a block)") {
    CHECK(hmac_sha256_hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
