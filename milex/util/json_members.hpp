#pragma once
/// Reading a large JSON object member by member. nlohmann's ordered_json inserts every key with
/// a linear search for an equal one, so parsing an object of n members whole costs O(n²): a
/// 100,000-job bundle took 10 s. This reader hands each top-level member over as soon as its
/// value is complete, in file order, in linear time, and never holds the whole tree.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace milex::util {

struct MemberScan {
    bool object = false;                  ///< false: the text is valid JSON but not an object
    size_t members = 0;                   ///< how many members were handed over
    std::vector<std::string> duplicates;  ///< keys given more than once (each handed over every time)
};

/// Calls `member(key, value)` for each member of the top-level object of `text`. A syntax error
/// comes back as nlohmann's message without its `[json.exception.…]` prefix ("parse error at
/// line L, column C: …", "number overflow parsing '1e99999'"), after the members before it were
/// handed over.
tl::expected<MemberScan, std::string> for_each_member(
    std::string_view text, const std::function<void(std::string key, nlohmann::ordered_json value)>& member);

} // namespace milex::util
