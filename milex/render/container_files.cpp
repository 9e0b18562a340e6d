#include "milex/render/container_files.hpp"

#include <kainjow/mustache.hpp>

#include "milex/util/error.hpp"

namespace milex::render {

namespace mustache = kainjow::mustache;

extern const char* const k_dockerfile_template;    // generated from templates/Dockerfile.mustache
extern const char* const k_requirements_template;  // generated from templates/requirements.txt

std::string dockerfile(const std::string& python_version, const std::string& name, const std::string& version) {
    mustache::mustache text{k_dockerfile_template};
    if (!text.is_valid()) throw Error("templates/Dockerfile.mustache: " + text.error_message());
    mustache::data data;
    data.set("python", python_version);
    data.set("name", name);
    data.set("version", version);
    return text.render(data);
}

std::string requirements_file() { return k_requirements_template; }

} // namespace milex::render
