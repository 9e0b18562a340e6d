#include "milex/render/arguments.hpp"

namespace milex::render {

std::string argument_text(const nlohmann::ordered_json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "True" : "False";  // Python's str(bool)
    if (value.is_null()) return "None";
    return value.dump();  // numbers in the shortest form that reads back the same; objects as JSON
}

std::vector<std::string> application_words(const nlohmann::ordered_json& script_args) {
    std::vector<std::string> words;
    if (!script_args.is_object()) return words;
    for (const auto& [key, value] : script_args.items()) {
        if (value.is_null()) continue;
        if (value.is_boolean()) {
            if (value.get<bool>()) words.push_back("--" + key);
            continue;
        }
        if (value.is_array()) {
            words.push_back("--" + key);
            for (const auto& item : value) words.push_back(argument_text(item));
            continue;
        }
        words.push_back("--" + key + "=" + argument_text(value));
    }
    return words;
}

} // namespace milex::render
