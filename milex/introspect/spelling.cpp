#include "milex/introspect/spelling.hpp"

#include <cstdlib>
#include <deque>
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
    Inference(const std::vector<std::string>& words, const ordered_json& answer, const ParserMap* map)
        : m_words(words), m_answer(answer), m_map(map) {
        if (m_map) m_slots.assign(m_map->positionals.begin(), m_map->positionals.end());
    }

    ordered_json run() {
        std::vector<std::string> positionals;
        size_t i = 0;
        while (i < m_words.size()) {
            const std::string& word = m_words[i];
            if (word == "--") {
                positionals.insert(positionals.end(), m_words.begin() + static_cast<long>(i) + 1, m_words.end());
                break;
            }
            if (option_like(word)) {
                if (auto next = mapped_option(i)) i = *next;
                else if (word.starts_with("--") && word.size() > 2) i = long_option(i);
                else i = short_option(i);
            } else {
                i = positional_chunk(i, positionals);
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

    /// The words an option takes after it, as argparse counts them (only words that are not
    /// options themselves, all of the rest for a REMAINDER).
    size_t values_after(const ParsedOption& option, size_t next) const {
        auto free_words = [&](size_t from, size_t limit) {
            size_t n = 0;
            while (n < limit && from + n < m_words.size() && !option_like(m_words[from + n]) && m_words[from + n] != "--")
                ++n;
            return from + n;
        };
        switch (option.nargs) {
        case Nargs::none: return next;
        case Nargs::one:
        case Nargs::optional: return free_words(next, 1);
        case Nargs::exactly: return free_words(next, option.count);
        case Nargs::any:
        case Nargs::some: return free_words(next, m_words.size());
        case Nargs::remainder: return m_words.size();
        }
        return next;
    }

    /// The key an option of the map sets: its dest when the answer has it; otherwise (a dest=
    /// the help does not show) today's guess by value or by name.
    std::optional<std::string> mapped_key(const ParsedOption& option, const std::optional<std::string>& value) const {
        if (m_answer.contains(option.dest)) return option.dest;  // given twice: the last counts, same spelling
        if (option.nargs == Nargs::none) return flag_named_like(option.dest);
        return key_for(option.dest, value);
    }

    /// Records a mapped option's spelling; false when its key cannot be told.
    bool record(const ParsedOption& option, const std::string& spelled, const std::optional<std::string>& value) {
        auto key = mapped_key(option, value);
        if (!key) return false;
        const ordered_json& v = m_answer[*key];
        if (v.is_boolean() && option.nargs == Nargs::none)
            m_spelling[*key] = v.get<bool>() ? ordered_json(spelled) : ordered_json{{"flag", spelled}, {"when", v}};
        else
            m_spelling[*key] = spelled;
        return true;
    }

    /// An option the parser map knows, read the way argparse reads it; the index after its
    /// words, or nothing when the map does not know the word (then it is guessed as before).
    std::optional<size_t> mapped_option(size_t i) {
        if (!m_map) return std::nullopt;
        const std::string& word = m_words[i];
        const size_t eq = word.find('=');
        std::string spelled;
        std::optional<std::string> attached;
        const ParsedOption* option = m_map->find(word);
        if (option) {
            spelled = word;
        } else if (eq != std::string::npos && (option = m_map->find(word.substr(0, eq)))) {
            spelled = word.substr(0, eq);
            attached = word.substr(eq + 1);
        } else if (!word.starts_with("--") && (option = m_map->find(word.substr(0, 2)))) {
            spelled = word.substr(0, 2);
            attached = word.substr(2);
        }
        if (!option) return std::nullopt;
        // An abbreviation is recorded as the option string it stands for.
        if (spelled.starts_with("--"))
            for (const auto& s : option->strings)
                if (s.starts_with(spelled)) {
                    spelled = s;
                    break;
                }
        if (attached && option->nargs == Nargs::none) {
            // -vq: a cluster of flags, the first that takes a value taking the rest.
            if (!record(*option, spelled, std::nullopt)) return std::nullopt;
            std::string rest = *attached;
            while (!rest.empty()) {
                const ParsedOption* next = m_map->find("-" + rest.substr(0, 1));
                if (!next) return i + 1;
                const std::optional<std::string> value =
                    next->nargs == Nargs::none || rest.size() == 1 ? std::nullopt : std::optional(rest.substr(1));
                record(*next, "-" + rest.substr(0, 1), value);
                if (next->nargs != Nargs::none) return value ? i + 1 : values_after(*next, i + 1);
                rest.erase(0, 1);
            }
            return i + 1;
        }
        const size_t end = attached ? i + 1 : values_after(*option, i + 1);
        std::optional<std::string> value = attached;
        if (!value && end > i + 1) value = m_words[i + 1];
        if (!record(*option, spelled, value)) return std::nullopt;
        return end;
    }

    /// Positional words from `i`, as argparse hands them out: each positional not yet consumed
    /// takes its share of the words before the next option, and a REMAINDER every word left.
    size_t positional_chunk(size_t i, std::vector<std::string>& positionals) {
        size_t end = i;
        while (end < m_words.size() && !option_like(m_words[end]) && m_words[end] != "--") ++end;
        if (!m_map || m_map->positionals.empty()) {
            positionals.insert(positionals.end(), m_words.begin() + static_cast<long>(i),
                               m_words.begin() + static_cast<long>(end));
            return end;
        }
        size_t at = i;
        while (!m_slots.empty()) {
            const ParsedPositional slot = m_slots.front();
            const size_t left = end - at;
            size_t take = 0;
            if (slot.nargs == Nargs::remainder) {
                positionals.insert(positionals.end(), m_words.begin() + static_cast<long>(i), m_words.end());
                m_slots.pop_front();
                return m_words.size();
            }
            if (slot.nargs == Nargs::one || slot.nargs == Nargs::exactly || slot.nargs == Nargs::some) {
                const size_t needed = slot.nargs == Nargs::exactly ? slot.count : 1;
                if (left < needed) break;
                take = slot.nargs == Nargs::some ? left : needed;
            } else {
                take = slot.nargs == Nargs::optional ? std::min<size_t>(left, 1) : left;
            }
            at += take;
            m_slots.pop_front();
        }
        // Words no positional takes: argparse refuses them; kept for the value matching.
        positionals.insert(positionals.end(), m_words.begin() + static_cast<long>(i),
                           m_words.begin() + static_cast<long>(end));
        return end;
    }

    void assign_positionals(const std::vector<std::string>& words) {
        size_t next = 0;
        long long place = 0;
        for (const auto& [key, value] : m_answer.items()) {
            if (next >= words.size()) return;
            if (taken(key)) continue;
            if (m_map && m_map->has_dest(key)) continue;  // an option's key, not a positional's
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
    const ParserMap* m_map;
    std::map<std::string, ordered_json> m_spelling;
    std::deque<ParsedPositional> m_slots;  ///< the positionals argparse has not consumed yet
};

} // namespace

ordered_json infer_spellings(const std::vector<std::string>& words, const ordered_json& answer, const ParserMap* map) {
    return Inference(words, answer, map).run();
}

} // namespace milex::introspect
