#include "milex/image/local_images.hpp"

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/process.hpp"
#include "milex/util/text.hpp"

namespace milex::image {

namespace {

constexpr std::chrono::minutes k_save_timeout{30};  // a 5 GB image takes a minute or two
constexpr std::chrono::seconds k_query_timeout{60};

util::ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    util::ProcessOptions options;
    options.timeout = timeout;
    auto result = util::run_process(argv, options);
    if (!result) throw Error(fmt::format("cannot run {}", result.error()));
    return std::move(*result);
}

} // namespace

std::optional<std::string> EngineImages::id(const std::string& reference) {
    auto result = run({m_program, "image", "inspect", "--format", "{{.Id}}", reference}, k_query_timeout);
    if (!result.succeeded()) return std::nullopt;
    std::string id(util::trim(result.out));
    if (id.starts_with("sha256:")) id.erase(0, 7);
    if (id.empty()) return std::nullopt;
    return id;
}

void EngineImages::save(const std::string& reference, const std::string& path) {
    std::vector<std::string> argv{m_program, "save", "--output", path};
    if (m_program == "podman") argv.insert(argv.end(), {"--format", "docker-archive"});
    argv.push_back(reference);
    auto result = run(argv, k_save_timeout);
    if (!result.succeeded())
        throw Error(fmt::format("{} save {} {}: {}", m_program, reference, result.describe_end(k_save_timeout),
                                util::last_line(result.err)));
}

std::vector<ImageRow> EngineImages::list(const std::string& label) {
    auto result = run({m_program, "images", "--filter", "label=" + label, "--format",
                       "{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"},
                      k_query_timeout);
    if (!result.succeeded())
        throw Error(fmt::format("{} images {}: {}", m_program, result.describe_end(k_query_timeout),
                                util::last_line(result.err)));
    std::vector<ImageRow> rows;
    for (const auto& line : util::split(result.out, '\n')) {
        if (util::trim(line).empty()) continue;
        auto fields = util::split(line, '\t');
        fields.resize(4);
        rows.push_back({fields[0], fields[1], fields[2], fields[3]});
    }
    return rows;
}

std::optional<std::string> find_engine(const std::string& preferred) {
    if (!preferred.empty() && util::find_on_path(preferred)) return preferred;
    for (const char* engine : {"podman", "docker"})
        if (util::find_on_path(engine)) return std::string(engine);
    return std::nullopt;
}

} // namespace milex::image
