// Sweep files (YAML, or JSON by name): option lists and explicit combinations.
#include "fuzz.hpp"
#include "milex/introspect/sweep.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    milex::fuzz::refusals_only([&] {
        auto spec = milex::introspect::sweep_from_text(text, "sweep.yaml");
        for (const auto& combination : spec.combinations)
            for (size_t i = 0; i < spec.options.size(); ++i)
                (void)milex::introspect::sweep_word(spec.options[i], combination.at(i));
    });
    milex::fuzz::refusals_only([&] { (void)milex::introspect::sweep_from_text(text, "sweep.json"); });
    return 0;
}
