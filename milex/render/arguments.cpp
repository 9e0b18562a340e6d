#include "milex/render/arguments.hpp"

#include <algorithm>
#include <cstdlib>
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

/// A word argparse would take for an option: a dash and not a negative number, no space.
bool option_like(const std::string& word) {
    if (word.size() < 2 || word[0] != '-' || word.find(' ') != std::string::npos) return false;
    char* end = nullptr;
    std::strtod(word.c_str(), &end);
    return *end != '\0';
}

void append_positional(std::vector<std::string>& words, const ordered_json& value) {
    if (value.is_array()) {
        for (const auto& item : value) words.push_back(argument_text(item));
    } else if (!value.is_null()) {
        words.push_back(argument_text(value));
    }
}

} // namespace

ApplicationWords split_application_words(const ordered_json& script_args, const ordered_json& script_options) {
    ApplicationWords words;
    if (!script_args.is_object()) return words;
    if (!script_options.is_object()) {
        for (const auto& [key, value] : script_args.items()) append_upstream(words.options, key, value);
        return words;
    }
    std::map<long long, std::string> positionals;  // place → key
    for (const auto& [key, spelling] : script_options.items())
        if (spelling.is_number_integer() && script_args.contains(key)) positionals[spelling.get<long long>()] = key;
    bool list_positional = false;
    for (const auto& [place, key] : positionals) {
        append_positional(words.positionals, script_args[key]);
        list_positional = list_positional || script_args[key].is_array();
    }
    // With positionals to follow, list options go first, so that the option just before the
    // positionals (if it is not a list) cannot take them as its items.
    std::vector<std::string> lists, others;
    for (const auto& [key, value] : script_args.items()) {
        auto spelling = script_options.find(key);
        if (spelling == script_options.end() || spelling->is_null() || spelling->is_number()) continue;
        append_option(value.is_array() && !positionals.empty() ? lists : others, *spelling, value);
    }
    words.options = std::move(lists);
    words.options.insert(words.options.end(), others.begin(), others.end());
    if (words.positionals.empty()) return words;
    const bool list_last = others.empty() && !words.options.empty();
    if (list_last && !list_positional) {
        // Only list options: single positionals before them read back as well.
        words.options.insert(words.options.begin(), words.positionals.begin(), words.positionals.end());
        words.positionals.clear();
    } else if (list_last || option_like(words.positionals.front())) {
        words.positionals.insert(words.positionals.begin(), "--");
    }
    return words;
}

std::vector<std::string> application_words(const ordered_json& script_args, const ordered_json& script_options) {
    ApplicationWords split = split_application_words(script_args, script_options);
    split.options.insert(split.options.end(), split.positionals.begin(), split.positionals.end());
    return split.options;
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
