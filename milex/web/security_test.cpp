#include "milex/web/security.hpp"

#include <doctest/doctest.h>

using namespace milex::web;

TEST_CASE("tokens are 64 hex digits and differ each time") {
    const std::string a = new_token(), b = new_token();
    CHECK(a.size() == 64);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(a != b);
}

TEST_CASE("secrets compare equal only when equal") {
    CHECK(same_secret("abc", "abc"));
    CHECK_FALSE(same_secret("abc", "abd"));
    CHECK_FALSE(same_secret("abc", "abcd"));
    CHECK_FALSE(same_secret("", "a"));
}

TEST_CASE("only loopback names pass the Host check, with any port") {
    CHECK(host_allowed("127.0.0.1:8080"));
    CHECK(host_allowed("localhost:9000"));
    CHECK(host_allowed("localhost"));
    CHECK(host_allowed("[::1]:8080"));
    CHECK(host_allowed("[::1]"));
    CHECK_FALSE(host_allowed("evil.example:8080"));
    CHECK_FALSE(host_allowed("127.0.0.1.evil.example"));
    CHECK_FALSE(host_allowed("localhost.:80"));
    CHECK_FALSE(host_allowed("[::2]:80"));
    CHECK_FALSE(host_allowed("localhost:80x"));
    CHECK_FALSE(host_allowed(""));
}

TEST_CASE("cookies and Authorization headers are read by name") {
    CHECK(cookie_name(8123) == "milex-dashboard-8123");
    CHECK(cookie_value("a=1; milex-dashboard-8123=xyz; b=2", "milex-dashboard-8123") == "xyz");
    CHECK_FALSE(cookie_value("milex-dashboard-81=xyz", "milex-dashboard-8123"));
    CHECK(authorization_token("token abc") == "abc");
    CHECK_FALSE(authorization_token("Bearer abc"));
}

TEST_CASE("a cookie-authenticated change must come from the dashboard's own origin") {
    CHECK(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080"));
    CHECK(origin_allowed("http://localhost:9000", "localhost:9000"));
    CHECK_FALSE(origin_allowed("http://evil.example", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed("http://127.0.0.1:8081", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed("", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed("null", "127.0.0.1:8080"));
}
