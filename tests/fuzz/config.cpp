// The machine config (~/.milexconfig), as JSON and as YAML (a config named .yaml), validated as
// milex-configuration --check does.
#include "fuzz.hpp"
#include "milex/model/machine.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    for (const char* source : {"fuzz.json", "fuzz.yaml"}) {
        milex::fuzz::refusals_only([&] {
            auto document = milex::util::parse_document(text, source);
            if (!document) return;
            auto config = milex::model::config_from_document(std::move(*document));
            for (const auto& machine : config.machines) (void)machine.to_json().dump();
        });
    }
    return 0;
}
