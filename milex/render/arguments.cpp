#include "milex/render/arguments.hpp"

#include <map>

namespace milex::render {

using nlohmann::ordered_json;

std::string argument_text(const ordered_json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "True" : "False";  // Python's str(bool)
    if (value.is_null()) return "None";
    return value.dump();  // numbers in the shortest form that reads back the same; objects as JSON
}

namespace {

void append_upstream(std::vector<std::string>& words, const std::string& key, const ordered_json& value) {
    if (value.is_null()) return;
    if (value.is_boolean()) {
        if (value.get<bool>()) words.push_back("--" + key);
        return;
    }
    if (value.is_array()) {
        words.push_back("--" + key);
        for (const auto& item : value) words.push_back(argument_text(item));
        return;
    }
    words.push_back("--" + key + "=" + argument_text(value));
}

/// An option as it was typed: `--name` or `-n`, or a flag given for one value.
void append_option(std::vector<std::string>& words, const ordered_json& spelling, const ordered_json& value) {
    if (spelling.is_object()) {  // {"flag": "--no-cache", "when": false}
        if (value == spelling["when"]) words.push_back(spelling["flag"].get<std::string>());
        return;
    }
    const std::string option = spelling.get<std::string>();
    const bool is_long = option.starts_with("--");
    if (value.is_null()) return;
    if (value.is_boolean()) {
        if (value.get<bool>()) words.push_back(option);
        return;
    }
    if (value.is_array()) {
        words.push_back(option);
        for (const auto& item : value) words.push_back(argument_text(item));
        return;
    }
    const std::string text = argument_text(value);
    if (is_long) words.push_back(option + "=" + text);
    else if (text.empty()) words.insert(words.end(), {option, text});
    else words.push_back(option + text);
}

void append_positional(std::vector<std::string>& words, const ordered_json& value) {
    if (value.is_array()) {
        for (const auto& item : value) words.push_back(argument_text(item));
    } else if (!value.is_null()) {
        words.push_back(argument_text(value));
    }
}

} // namespace

std::vector<std::string> application_words(const ordered_json& script_args, const ordered_json& script_options) {
    std::vector<std::string> words;
    if (!script_args.is_object()) return words;
    if (!script_options.is_object()) {
        for (const auto& [key, value] : script_args.items()) append_upstream(words, key, value);
        return words;
    }
    std::map<long long, std::string> positionals;  // place → key
    for (const auto& [key, spelling] : script_options.items())
        if (spelling.is_number_integer() && script_args.contains(key)) positionals[spelling.get<long long>()] = key;
    for (const auto& [place, key] : positionals) append_positional(words, script_args[key]);
    for (const auto& [key, value] : script_args.items()) {
        auto spelling = script_options.find(key);
        if (spelling == script_options.end() || spelling->is_null() || spelling->is_number()) continue;
        append_option(words, *spelling, value);
    }
    return words;
}

std::vector<std::string> words_for_key(const ordered_json& script_args, const ordered_json& script_options,
                                       const std::string& key) {
    ordered_json one = ordered_json::object();
    if (script_args.contains(key)) one[key] = script_args[key];
    ordered_json spelling = nullptr;
    if (script_options.is_object()) {
        spelling = ordered_json::object();
        if (script_options.contains(key)) spelling[key] = script_options[key];
    }
    return application_words(one, spelling);
}

} // namespace milex::render
