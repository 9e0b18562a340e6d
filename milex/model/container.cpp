#include "milex/model/container.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "milex/util/document.hpp"
#include "milex/util/error.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/text.hpp"

namespace milex::model {

using nlohmann::ordered_json;

namespace {

bool variable_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

/// What is wrong with a bind source, or an empty string.
std::string source_problem(const std::string& spec, std::string_view source) {
    if (source.empty()) return fmt::format("\"{}\" has an empty source", spec);
    size_t expanded = 0;
    if (source[0] == '$' || source[0] == '~') {
        expanded = util::leading_expansion(source);
        if (expanded == 0 || (expanded < source.size() && source[expanded] != '/'))
            return fmt::format("\"{}\": the source must start with a variable ($MILEX/…, ${{SCRATCH}}/…) or ~/", spec);
    }
    if (source.substr(expanded).find('$') != std::string_view::npos)
        return fmt::format("\"{}\": '$' may only start the source ($MILEX/…, $SCRATCH/…)", spec);
    if (source.find(',') != std::string_view::npos)
        return fmt::format("\"{}\": apptainer and singularity cannot bind a path holding ','; rename it", spec);
    return {};
}

/// Reads one container section; each problem goes to the sink with its pointer.
class ContainerReader {
public:
    explicit ContainerReader(const ProblemSink& problem) : m_problem(problem) {}

    Container read(const ordered_json& value) {
        Container c;
        for (const auto& [key, v] : value.items()) {
            const std::string at = util::child_pointer("", key);
            if (key == "image") c.image = image(at, v);
            else if (key == "command") c.command = words(at, key, v);
            else if (key == "entrypoint") c.entrypoint = words(at, key, v);
            else if (key == "environment") c.environment = environment(at, v);
            else if (key == "volumes") c.volumes = volumes(at, v);
            else if (key == "working_dir") c.working_dir = working_dir(at, v);
            else if (key == "gpus") c.gpus = gpus(at, v);
            else m_problem(at, fmt::format("unknown key \"{}\"{}", key, suggestion(key)));
        }
        if (!value.contains("image"))
            m_problem("", "has no \"image\"; name one, e.g. \"image\": \"docker://python:3.11-slim\"");
        return c;
    }

private:
    /// Did-you-mean, knowing the docker and apptainer words for compose's keys.
    static std::string suggestion(const std::string& key) {
        static const std::vector<std::pair<std::string, std::string>> k_other_words = {
            {"workdir", "working_dir"}, {"pwd", "working_dir"}, {"env", "environment"},
            {"bind", "volumes"},        {"binds", "volumes"},   {"gpu", "gpus"}};
        for (const auto& [word, key_of_ours] : k_other_words)
            if (key == word) return fmt::format(" (did you mean \"{}\"?)", key_of_ours);
        return util::did_you_mean(key, container_keys());
    }

    std::string image(const std::string& at, const ordered_json& v) {
        if (!v.is_string() || v.get<std::string>().empty()) {
            m_problem(at, "\"image\" must name an image, e.g. \"docker://python:3.11-slim\" or \"localhost/train:1\"");
            return {};
        }
        const std::string text = v.get<std::string>();
        if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; }))
            m_problem(at, fmt::format("\"image\" \"{}\" must not hold spaces or control characters", util::excerpt(text)));
        return text;
    }

    /// A list of words, or a string of words without quotes (compose splits strings like a shell;
    /// milex refuses what it would have to guess).
    std::vector<std::string> words(const std::string& at, const std::string& key, const ordered_json& v) {
        std::vector<std::string> out;
        if (v.is_null()) return out;
        if (v.is_string()) {
            const std::string text = v.get<std::string>();
            if (text.find_first_of("'\"\\") != std::string::npos) {
                m_problem(at, fmt::format("\"{}\" \"{}\" holds quotes; write it as a list of words such as "
                                          "[\"python\", \"-c\", \"print(1)\"]",
                                          key, util::excerpt(text)));
                return out;
            }
            for (const auto& word : util::split(text, ' '))
                if (!util::trim(word).empty()) out.emplace_back(util::trim(word));
            return out;
        }
        if (v.is_array() && std::all_of(v.begin(), v.end(), [](const ordered_json& w) { return w.is_string(); })) {
            for (const auto& word : v) out.push_back(word.get<std::string>());
            return out;
        }
        m_problem(at, fmt::format("\"{}\" must be a list of words such as [\"python\", \"train.py\"], not {}", key,
                                  util::type_name(v)));
        return out;
    }

    std::vector<std::pair<std::string, std::string>> environment(const std::string& at, const ordered_json& v) {
        std::vector<std::pair<std::string, std::string>> out;
        auto add = [&](const std::string& item_at, const std::string& name, const std::string& value) {
            if (!variable_name(name)) {
                m_problem(item_at, fmt::format("\"environment\": \"{}\" is not a variable name (letters, digits and _, "
                                               "not starting with a digit)",
                                               util::excerpt(name)));
                return;
            }
            out.emplace_back(name, value);
        };
        if (v.is_null()) return out;
        if (v.is_object()) {
            for (const auto& [name, value] : v.items()) {
                const std::string item_at = util::child_pointer(at, name);
                if (value.is_string()) add(item_at, name, value.get<std::string>());
                else if (value.is_boolean() || value.is_number()) add(item_at, name, value.dump());
                else
                    m_problem(item_at, fmt::format("\"environment\": \"{}\" needs a value (a string, a number or "
                                                   "true/false), not {}",
                                                   name, util::type_name(value)));
            }
            return out;
        }
        if (v.is_array()) {
            for (size_t i = 0; i < v.size(); ++i) {
                const std::string item_at = fmt::format("{}/{}", at, i);
                if (!v[i].is_string()) {
                    m_problem(item_at, "\"environment\" items must be \"NAME=value\" strings");
                    continue;
                }
                if (auto assignment = parse_assignment(v[i].get<std::string>()))
                    add(item_at, assignment->first, assignment->second);
                else
                    m_problem(item_at, "\"environment\": " + assignment.error());
            }
            return out;
        }
        m_problem(at, "\"environment\" must be an object such as {\"OMP_NUM_THREADS\": \"4\"} or a list of "
                      "\"NAME=value\"");
        return out;
    }

    std::vector<Volume> volumes(const std::string& at, const ordered_json& v) {
        std::vector<Volume> out;
        if (v.is_null()) return out;
        if (!v.is_array()) {
            m_problem(at, "\"volumes\" must be a list of \"SOURCE:TARGET[:ro]\" such as [\"data:/data:ro\"]");
            return out;
        }
        for (size_t i = 0; i < v.size(); ++i) {
            const std::string item_at = fmt::format("{}/{}", at, i);
            if (!v[i].is_string()) {
                m_problem(item_at, fmt::format("\"volumes\" items must be \"SOURCE:TARGET[:ro]\" strings, not {}",
                                               util::type_name(v[i])));
                continue;
            }
            if (auto volume = parse_volume(v[i].get<std::string>())) out.push_back(std::move(*volume));
            else m_problem(item_at, "\"volumes\": " + volume.error());
        }
        return out;
    }

    std::string working_dir(const std::string& at, const ordered_json& v) {
        if (v.is_null()) return {};
        if (v.is_string() && v.get<std::string>().starts_with("/")) return v.get<std::string>();
        m_problem(at, "\"working_dir\" must be an absolute path in the container, such as \"/work\"");
        return {};
    }

    std::optional<bool> gpus(const std::string& at, const ordered_json& v) {
        if (v.is_null()) return std::nullopt;
        if (v.is_boolean()) return v.get<bool>();
        if (v == "all") return true;
        m_problem(at, "\"gpus\" must be true, false or \"all\"; the number of GPUs is the job's SLURM request "
                      "(e.g. \"gres\": \"gpu:2\")");
        return std::nullopt;
    }

    const ProblemSink& m_problem;
};

} // namespace

std::string Volume::spec() const { return source + ":" + target + (read_only ? ":ro" : ""); }

void Container::set_environment(const std::string& name, const std::string& value) {
    for (auto& [key, old] : environment) {
        if (key == name) {
            old = value;
            return;
        }
    }
    environment.emplace_back(name, value);
}

ordered_json Container::to_json() const {
    ordered_json j = ordered_json::object();
    j["image"] = image;
    if (!entrypoint.empty()) j["entrypoint"] = entrypoint;
    if (!command.empty()) j["command"] = command;
    if (!environment.empty()) {
        ordered_json env = ordered_json::object();
        for (const auto& [name, value] : environment) env[name] = value;
        j["environment"] = env;
    }
    if (!volumes.empty()) {
        ordered_json list = ordered_json::array();
        for (const auto& volume : volumes) list.push_back(volume.spec());
        j["volumes"] = list;
    }
    if (!working_dir.empty()) j["working_dir"] = working_dir;
    if (gpus) j["gpus"] = *gpus;
    return j;
}

ImageKind image_kind(const std::string& image) {
    for (const char* scheme : {"docker://", "library://", "oras://", "shub://"})
        if (image.starts_with(scheme)) return ImageKind::pulled;
    if (image.ends_with(".sif")) return ImageKind::file;
    return ImageKind::local;
}

Container container_from_json(const ordered_json& value, const ProblemSink& problem) {
    if (!value.is_object()) {
        problem("", fmt::format("must be an object such as {{\"image\": \"docker://python:3.11-slim\"}}, not {}",
                                util::type_name(value)));
        return {};
    }
    return ContainerReader(problem).read(value);
}

Container container_from_document(const util::Document& document) {
    std::vector<std::string> problems;
    Container container = container_from_json(document.root, [&](const std::string& pointer, const std::string& message) {
        problems.push_back(fmt::format("{}: {}", document.where(pointer), message));
    });
    if (!problems.empty()) throw Error(problems);
    return container;
}

const std::vector<std::string>& container_keys() {
    static const std::vector<std::string> keys = {"image",   "entrypoint",  "command", "environment",
                                                  "volumes", "working_dir", "gpus"};
    return keys;
}

tl::expected<Volume, std::string> parse_volume(const std::string& spec) {
    const auto parts = util::split(spec, ':');
    if (parts.size() < 2 || parts.size() > 3 || parts[1].empty())
        return tl::unexpected(fmt::format("\"{}\" must be SOURCE:TARGET or SOURCE:TARGET:ro (e.g. \"data:/data:ro\")",
                                          util::excerpt(spec)));
    Volume volume{parts[0], parts[1], false};
    if (parts.size() == 3) {
        if (parts[2] != "ro" && parts[2] != "rw")
            return tl::unexpected(fmt::format("\"{}\": the mode must be ro or rw, not \"{}\"", spec, parts[2]));
        volume.read_only = parts[2] == "ro";
    }
    if (auto wrong = source_problem(spec, volume.source); !wrong.empty()) return tl::unexpected(wrong);
    if (!volume.target.starts_with("/"))
        return tl::unexpected(
            fmt::format("\"{}\": the target \"{}\" must be an absolute path in the container", spec, volume.target));
    return volume;
}

tl::expected<std::pair<std::string, std::string>, std::string> parse_assignment(const std::string& text) {
    const size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0)
        return tl::unexpected(fmt::format("\"{}\" must be NAME=value", util::excerpt(text)));
    std::string name = text.substr(0, equals);
    if (!variable_name(name))
        return tl::unexpected(fmt::format("\"{}\" is not a variable name (letters, digits and _, not starting with a "
                                          "digit)",
                                          util::excerpt(name)));
    return std::pair{std::move(name), text.substr(equals + 1)};
}

bool slurm_asks_gpus(const SlurmOptions& options) {
    for (const char* key : {"gpus", "gpus_per_node", "gpus_per_task"}) {
        const std::string* value = find_option(options, key);
        if (value && *value != "0") return true;
    }
    if (const std::string* gres = find_option(options, "gres")) {
        for (const auto& item : util::split(*gres, ',')) {
            const auto parts = util::split(item, ':');
            const std::string& name = parts[0];
            if (name != "gpu" && !name.ends_with("/gpu")) continue;
            if (parts.size() == 1 || parts.back() != "0") return true;
        }
    }
    return false;
}

bool wants_gpus(const Container& container, const SlurmOptions& slurm) {
    return container.gpus.value_or(slurm_asks_gpus(slurm));
}

} // namespace milex::model
