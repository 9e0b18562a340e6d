#include <doctest/doctest.h>

#include "milex/util/base64.hpp"

using milex::util::base64_decode;
using milex::util::base64_encode;
using milex::util::Padding;

TEST_CASE("base64 matches RFC 4648's test vectors, with and without padding") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode("fooba", Padding::no) == "Zm9vYmE");
    CHECK(base64_decode("Zm9vYmE=") == std::optional<std::string>("fooba"));
    CHECK(base64_decode("Zm9v\nYmE") == std::optional<std::string>("fooba"));
    CHECK_FALSE(base64_decode("Zm9v!"));
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    CHECK(base64_decode(base64_encode(bytes)) == std::optional<std::string>(bytes));
}
