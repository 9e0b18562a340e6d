#include <doctest/doctest.h>

#include "milex/util/hash.hpp"
#include "milex/util/process.hpp"
#include "unit/support.hpp"

using milex::util::sha256_hex;

TEST_CASE("SHA-256 matches the published test vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("SHA-256 agrees with sha256sum at every length around the block edges") {
    for (size_t length : {1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000}) {
        std::string data(length, 'x');
        for (size_t i = 0; i < length; ++i) data[i] = static_cast<char>('a' + i % 26);
        milex::test::write_file(milex::test::temp_dir() / "data", data);
        auto result = milex::util::run_process({"sha256sum", (milex::test::temp_dir() / "data").string()});
        REQUIRE(result);
        CHECK_MESSAGE(sha256_hex(data) == result->out.substr(0, 64), "length " << length);
    }
}
