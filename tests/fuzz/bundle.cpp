// Bundle JSON, milex's and the Python milex's form: whatever parses must dump and parse again
// to the same bundle.
#include "fuzz.hpp"
#include "milex/model/bundle.hpp"

#include <cstdlib>

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    milex::fuzz::refusals_only([&] {
        const auto bundle = milex::model::parse_bundle(text, "fuzz.json");
        const std::string dumped = bundle.dump();
        if (milex::model::parse_bundle(dumped, "dumped.json").dump() != dumped) std::abort();
    });
    return 0;
}
