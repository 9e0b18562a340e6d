#include "milex/introspect/spelling.hpp"

#include <cstdlib>
#include <map>
#include <optional>

namespace milex::introspect {

using nlohmann::ordered_json;

namespace {

bool is_number(const std::string& word) {
    if (word.empty()) return false;
    char* end = nullptr;
    std::strtod(word.c_str(), &end);
    return *end == '\0';
}

/// An option word, as argparse sees it: a dash and something that is not a negative number.
bool option_like(const std::string& word) { return word.size() > 1 && word[0] == '-' && !is_number(word); }

/// Whether `word` is how `value` was typed: the same text, or the same number.
bool matches(const std::string& word, const ordered_json& value) {
    if (value.is_string()) return value.get<std::string>() == word;
    if (value.is_number() && is_number(word)) return std::strtod(word.c_str(), nullptr) == value.get<double>();
    return false;
}

class Inference {
public:
    Inference(const std::vector<std::string>& words, const ordered_json& answer) : m_words(words), m_answer(answer) {}

    ordered_json run() {
        std::vector<std::string> positionals;
        size_t i = 0;
        while (i < m_words.size()) {
            const std::string& word = m_words[i];
            if (word == "--") {
                positionals.insert(positionals.end(), m_words.begin() + static_cast<long>(i) + 1, m_words.end());
                break;
            }
            if (word.starts_with("--") && word.size() > 2) i = long_option(i);
            else if (option_like(word)) i = short_option(i);
            else {
                positionals.push_back(word);
                ++i;
            }
        }
        assign_positionals(positionals);
        ordered_json spellings = ordered_json::object();
        for (const auto& [key, value] : m_answer.items()) {
            auto it = m_spelling.find(key);
            spellings[key] = it == m_spelling.end() ? ordered_json(nullptr) : it->second;
        }
        return spellings;
    }

private:
    bool taken(const std::string& key) const { return m_spelling.count(key) > 0; }

    /// The key an option sets: by its dest name when the answer has it, else by the value.
    std::optional<std::string> key_for(const std::string& dest, const std::optional<std::string>& value) const {
        if (m_answer.contains(dest) && !taken(dest)) return dest;
        if (!value) return std::nullopt;
        for (const auto& [key, v] : m_answer.items()) {
            if (taken(key)) continue;
            if (matches(*value, v)) return key;
            if (v.is_array() && !v.empty() && matches(*value, v[0])) return key;
        }
        return std::nullopt;
    }

    /// Records the option and returns the index after the words it took.
    size_t take(const std::string& key, const std::string& option, size_t next, bool attached) {
        const ordered_json& value = m_answer[key];
        if (value.is_boolean()) {
            m_spelling[key] = value.get<bool>() ? ordered_json(option) : ordered_json{{"flag", option}, {"when", value}};
            return next;
        }
        m_spelling[key] = option;
        if (attached) return next;
        size_t wanted = value.is_array() ? value.size() : 1;
        while (wanted > 0 && next < m_words.size() && !option_like(m_words[next]) && m_words[next] != "--") {
            ++next;
            --wanted;
        }
        return next;
    }

    size_t long_option(size_t i) {
        const std::string& word = m_words[i];
        const size_t eq = word.find('=');
        const std::string option = word.substr(0, eq);
        std::string dest = option.substr(2);
        for (char& c : dest)
            if (c == '-') c = '_';
        std::optional<std::string> value;
        if (eq != std::string::npos) value = word.substr(eq + 1);
        else if (i + 1 < m_words.size() && !option_like(m_words[i + 1])) value = m_words[i + 1];
        auto key = key_for(dest, value);
        if (!key && eq == std::string::npos) key = flag_named_like(dest);
        if (!key) return i + 1;  // left to the round-trip check to explain
        return take(*key, option, i + 1, eq != std::string::npos);
    }

    /// A flag whose dest is part of the option's name: --no-cache sets cache (to false).
    std::optional<std::string> flag_named_like(const std::string& dest) const {
        std::optional<std::string> found;
        for (const auto& [key, v] : m_answer.items()) {
            if (taken(key) || !v.is_boolean() || key.size() < 2) continue;
            if (dest.find(key) == std::string::npos && key.find(dest) == std::string::npos) continue;
            if (found) return std::nullopt;  // two candidates: do not guess
            found = key;
        }
        return found;
    }

    size_t short_option(size_t i) {
        const std::string& word = m_words[i];
        const std::string option = word.substr(0, 2);
        const std::string dest = word.substr(1, 1);
        const std::string attached = word.substr(2);
        // -abc: a cluster of flags when -a is a flag.
        if (m_answer.contains(dest) && m_answer[dest].is_boolean()) {
            for (char c : word.substr(1)) {
                const std::string flag(1, c);
                if (m_answer.contains(flag) && m_answer[flag].is_boolean() && !taken(flag)) take(flag, "-" + flag, 0, true);
            }
            return i + 1;
        }
        std::optional<std::string> value;
        if (!attached.empty()) value = attached;
        else if (i + 1 < m_words.size() && !option_like(m_words[i + 1])) value = m_words[i + 1];
        auto key = key_for(dest, value);
        if (!key) {
            // A flag with a long dest (-v for verbose): the one flag set by it, if only one is.
            std::vector<std::string> flags;
            for (const auto& [k, v] : m_answer.items())
                if (!taken(k) && v.is_boolean() && v.get<bool>()) flags.push_back(k);
            if (attached.empty() && flags.size() == 1) return take(flags[0], option, i + 1, true);
            return i + 1;
        }
        return take(*key, option, i + 1, !attached.empty());
    }

    void assign_positionals(const std::vector<std::string>& words) {
        size_t next = 0;
        long long place = 0;
        for (const auto& [key, value] : m_answer.items()) {
            if (next >= words.size()) return;
            if (taken(key)) continue;
            if (value.is_array()) {
                // nargs='+'/'*': as many words as items, each matching.
                if (value.empty() || next + value.size() > words.size()) continue;
                bool all = true;
                for (size_t j = 0; j < value.size(); ++j) all = all && matches(words[next + j], value[j]);
                if (!all) continue;
                next += value.size();
            } else {
                if (!matches(words[next], value)) continue;
                ++next;
            }
            m_spelling[key] = place++;
        }
    }

    const std::vector<std::string>& m_words;
    const ordered_json& m_answer;
    std::map<std::string, ordered_json> m_spelling;
};

} // namespace

ordered_json infer_spellings(const std::vector<std::string>& words, const ordered_json& answer) {
    return Inference(words, answer).run();
}

} // namespace milex::introspect
