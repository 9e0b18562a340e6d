#include "milex/util/json_members.hpp"

#include <unordered_set>

namespace milex::util {

using nlohmann::ordered_json;

namespace {

/// Builds the value of one top-level member at a time from the parser's events.
class MemberBuilder : public nlohmann::json_sax<ordered_json> {
public:
    explicit MemberBuilder(const std::function<void(std::string, ordered_json)>& member) : m_member(member) {}

    MemberScan scan;
    std::string error;

    bool null() override { return value(nullptr); }
    bool boolean(bool v) override { return value(v); }
    bool number_integer(number_integer_t v) override { return value(v); }
    bool number_unsigned(number_unsigned_t v) override { return value(v); }
    bool number_float(number_float_t v, const string_t&) override { return value(v); }
    bool string(string_t& v) override { return value(std::move(v)); }
    bool binary(binary_t& v) override { return value(ordered_json::binary(std::move(v))); }

    bool start_object(std::size_t) override {
        if (!m_in_top) {
            if (m_seen_top) return false;
            m_in_top = m_seen_top = scan.object = true;
            return true;
        }
        open(ordered_json::object());
        return true;
    }
    bool key(string_t& k) override {
        if (m_open.empty()) m_key = std::move(k);
        else m_pending = std::move(k);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override {
        if (!m_in_top) return top_is_not_an_object();
        open(ordered_json::array());
        return true;
    }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        error = e.what();
        if (error.starts_with("[json.exception.")) error = error.substr(error.find("] ") + 2);
        return false;
    }

private:
    bool top_is_not_an_object() {
        m_seen_top = true;
        return false;  // valid or not, it is no object of members: stop reading
    }
    bool value(ordered_json v) {
        if (!m_in_top) return top_is_not_an_object();
        if (m_open.empty()) deliver(std::move(v));
        else add(std::move(v));
        return true;
    }
    /// Puts `v` into the innermost open container; returns where it now lives.
    ordered_json* add(ordered_json v) {
        ordered_json& parent = *m_open.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        ordered_json& slot = parent[m_pending];
        slot = std::move(v);
        return &slot;
    }
    void open(ordered_json container) {
        // Pointers into a parent stay valid: a parent gets no new element while a child is open.
        if (m_open.empty()) {
            m_value = std::move(container);
            m_open.push_back(&m_value);
        } else {
            m_open.push_back(add(std::move(container)));
        }
    }
    bool close() {
        if (m_open.empty()) {  // the top-level object ends
            m_in_top = false;
            return true;
        }
        m_open.pop_back();
        if (m_open.empty()) deliver(std::move(m_value));
        return true;
    }
    void deliver(ordered_json v) {
        if (!m_keys.insert(m_key).second) scan.duplicates.push_back(m_key);
        ++scan.members;
        m_member(std::move(m_key), std::move(v));
        m_value = nullptr;
    }

    const std::function<void(std::string, ordered_json)>& m_member;
    bool m_in_top = false, m_seen_top = false;
    std::string m_key, m_pending;
    ordered_json m_value;
    std::vector<ordered_json*> m_open;
    std::unordered_set<std::string> m_keys;
};

} // namespace

tl::expected<MemberScan, std::string> for_each_member(
    std::string_view text, const std::function<void(std::string key, ordered_json value)>& member) {
    MemberBuilder builder(member);
    ordered_json::sax_parse(text.begin(), text.end(), &builder);
    if (!builder.error.empty()) return tl::unexpected(builder.error);
    return builder.scan;
}

} // namespace milex::util
