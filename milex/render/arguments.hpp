#pragma once
/// The application's arguments as command-line words, rendered from the `script_args` the
/// application's -cli printed (the upstream protocol).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace milex::render {

/// Each key as `--key=value`; true as `--key`; false and null left out; a list as `--key`
/// followed by one word per item; an object as `--key=<its JSON>`. Numbers are written the
/// way Python prints them (`0.001`, `1e-05`, `3.0`), so the application reads what -cli saw.
std::vector<std::string> application_words(const nlohmann::ordered_json& script_args);

/// One JSON value as the application receives it.
std::string argument_text(const nlohmann::ordered_json& value);

} // namespace milex::render
