// `ssh -G` output, and the host-key blobs (base64 as in known_hosts) milex reads types and
// fingerprints from.
#include "fuzz.hpp"
#include "milex/transport/keys.hpp"
#include "milex/transport/ssh_config.hpp"
#include "milex/util/base64.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    milex::fuzz::refusals_only([&] {
        auto target = milex::transport::parse_ssh_g(text, "/home/ada");
        (void)target.known_hosts_name();
        (void)target.where();
    });
    milex::fuzz::refusals_only([&] {
        (void)milex::transport::key_blob_type(text);
        (void)milex::transport::fingerprint(text);
        if (auto blob = milex::util::base64_decode(text)) (void)milex::transport::key_blob_type(*blob);
    });
    return 0;
}
