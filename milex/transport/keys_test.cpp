#include <doctest/doctest.h>

#include "milex/transport/keys.hpp"
#include "milex/util/base64.hpp"
#include "milex/util/process.hpp"
#include "milex/util/text.hpp"
#include "unit/support.hpp"

using namespace milex;

namespace {

/// A key made by ssh-keygen: `type` ("ed25519", "rsa", "ecdsa"), optional passphrase, format.
std::string keygen(const std::string& name, const std::string& type, const std::string& passphrase,
                   const std::string& format = "") {
    const std::string path = (test::temp_dir() / name).string();
    std::vector<std::string> argv = {"ssh-keygen", "-q", "-t", type, "-N", passphrase, "-f", path};
    if (type == "rsa") argv.insert(argv.end(), {"-b", "1024"});
    if (!format.empty()) argv.insert(argv.end(), {"-m", format});
    auto made = util::run_process(argv);
    REQUIRE(made);
    REQUIRE_MESSAGE(made->succeeded(), made->err);
    return path;
}

} // namespace

TEST_CASE("key files tell their type and whether they have a passphrase") {
    auto ed = transport::read_key_file(keygen("ed", "ed25519", ""));
    REQUIRE(ed);
    CHECK(ed->type == "ssh-ed25519");
    CHECK_FALSE(ed->encrypted);
    auto locked = transport::read_key_file(keygen("locked", "ed25519", "secret"));
    REQUIRE(locked);
    CHECK(locked->type == "ssh-ed25519");
    CHECK(locked->encrypted);
    auto rsa_pem = transport::read_key_file(keygen("rsa", "rsa", "", "PEM"));
    REQUIRE(rsa_pem);
    CHECK(rsa_pem->type == "ssh-rsa");
    CHECK(rsa_pem->pem);
    auto ecdsa = transport::read_key_file(keygen("ec", "ecdsa", "pw"));
    REQUIRE(ecdsa);
    CHECK(ecdsa->type == "ecdsa-sha2-nistp256");
    CHECK(ecdsa->encrypted);

    test::write_file(test::temp_dir() / "junk", "hello\n");
    CHECK(transport::read_key_file((test::temp_dir() / "junk").string()).error() == "not a private key");
    CHECK(transport::read_key_file((test::temp_dir() / "ed.pub").string()).error() == "a public key, not the private key");
    CHECK(transport::read_key_file((test::temp_dir() / "missing").string()).error() == "No such file or directory");
}

TEST_CASE("fingerprints and known_hosts lines are the ones ssh-keygen prints") {
    const std::string path = keygen("host", "ed25519", "");
    auto pub = util::split(test::read_file(path + ".pub"), ' ');
    REQUIRE(pub.size() >= 2);
    auto blob = util::base64_decode(pub[1]);
    REQUIRE(blob);
    auto listed = util::run_process({"ssh-keygen", "-l", "-E", "sha256", "-f", path + ".pub"});
    REQUIRE(listed);
    CHECK(util::split(listed->out, ' ')[1] == transport::fingerprint(*blob));
    CHECK(transport::key_blob_type(*blob) == "ssh-ed25519");

    const std::string known = (test::temp_dir() / "dir" / "known_hosts").string();
    REQUIRE(transport::append_known_host(known, transport::known_hosts_line("[127.0.0.1]:2222", *blob)));
    CHECK(test::read_file(known) == "[127.0.0.1]:2222 ssh-ed25519 " + pub[1] + "\n");
    auto found = util::run_process({"ssh-keygen", "-F", "[127.0.0.1]:2222", "-f", known});
    REQUIRE(found);
    CHECK(found->succeeded());
}
