// What an application's -cli prints: one JSON object of arguments, rendered into the words of
// the batch script.
#include "fuzz.hpp"
#include "milex/introspect/cli_protocol.hpp"
#include "milex/render/arguments.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    milex::fuzz::refusals_only([&] {
        auto answer = milex::introspect::parse_cli_answer(text, "app-cli");
        if (!answer) return;
        for (const auto& [key, value] : answer->items()) (void)milex::render::argument_text(value);
    });
    return 0;
}
