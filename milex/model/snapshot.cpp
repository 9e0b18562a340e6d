#include "milex/model/snapshot.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace milex::model {

namespace {

bool hex_digits(const std::string& text, size_t size) {
    return text.size() == size &&
           std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

} // namespace

std::string Snapshot::id() const { return dirty ? fmt::format("{}-dirty-{}", commit, diff_sha256.substr(0, 12)) : commit; }

nlohmann::ordered_json Snapshot::to_json() const {
    nlohmann::ordered_json j = {{"commit", commit}, {"dirty", dirty}};
    if (dirty) j["diff_sha256"] = diff_sha256;
    if (!bin.empty()) j["bin"] = bin;
    return j;
}

std::optional<Snapshot> snapshot_from_json(const nlohmann::ordered_json& v,
                                           const std::function<void(const std::string&)>& problem) {
    const char* shape = "\"snapshot\" must be {\"commit\": \"<40 hex digits>\", \"dirty\": false} as milex-schedule "
                        "--snapshot writes it";
    if (!v.is_object() || !v.contains("commit") || !v["commit"].is_string()) {
        problem(shape);
        return std::nullopt;
    }
    Snapshot s;
    s.commit = v["commit"].get<std::string>();
    bool good = true;
    if (!hex_digits(s.commit, 40) && !hex_digits(s.commit, 64)) {
        problem(fmt::format("\"snapshot\": \"commit\" \"{}\" is not a git commit id (40 hex digits)", s.commit));
        good = false;
    }
    for (const auto& [key, value] : v.items()) {
        if (key == "commit") continue;
        if (key == "dirty" && value.is_boolean()) {
            s.dirty = value.get<bool>();
        } else if (key == "diff_sha256" && value.is_string()) {
            s.diff_sha256 = value.get<std::string>();
        } else if (key == "bin" && value.is_string()) {
            s.bin = value.get<std::string>();
            if (auto wrong = code_path_problem(s.bin); !wrong.empty()) {
                problem("\"snapshot\": \"bin\" " + wrong);
                good = false;
            }
        } else if (key == "dirty" || key == "diff_sha256" || key == "bin") {
            problem(fmt::format("\"snapshot\": \"{}\" has the wrong type ({})", key, value.dump()));
            good = false;
        } else {
            problem(fmt::format("\"snapshot\" has unknown key \"{}\"", key));
            good = false;
        }
    }
    if (s.dirty && !hex_digits(s.diff_sha256, 64)) {
        problem("\"snapshot\" is dirty but has no \"diff_sha256\" (64 hex digits)");
        good = false;
    }
    if (!s.dirty && !s.diff_sha256.empty()) {
        problem("\"snapshot\" has a \"diff_sha256\" but is not dirty; set \"dirty\": true or remove it");
        good = false;
    }
    if (!good) return std::nullopt;
    return s;
}

std::string code_path_problem(const std::string& path) {
    if (path.empty()) return "must not be empty (the tree's root is \".\")";
    if (path.front() == '/' || path.front() == '~')
        return fmt::format("\"{}\" must be relative to the code tree's root, so the bundle holds no path of yours", path);
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (path.compare(start, end - start, "..") == 0)
            return fmt::format("\"{}\" must stay inside the code tree (no \"..\")", path);
        start = end + 1;
    }
    return {};
}

} // namespace milex::model
