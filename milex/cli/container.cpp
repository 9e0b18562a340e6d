#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/image/local_images.hpp"
#include "milex/render/container_files.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/text.hpp"
#include "milex/version.hpp"

namespace milex::cli {

namespace {

namespace fs = std::filesystem;

bool python_version(const std::string& text) {
    const auto parts = util::split(text, '.');
    if (parts.size() < 2 || parts.size() > 3) return false;
    return std::all_of(parts.begin(), parts.end(), [](const std::string& part) {
        return !part.empty() && part.size() <= 3 &&
               std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    });
}

/// The current directory's name as an image name: lower case, other characters as '-'.
std::string image_name() {
    std::string name = fs::current_path().filename().string();
    for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '-';
    }
    while (!name.empty() && !std::isalnum(static_cast<unsigned char>(name.front()))) name.erase(name.begin());
    return name.empty() ? "myimage" : name;
}

int template_command(const Args& args) {
    CLI::App app{"Write a starting Dockerfile and requirements.txt into the current directory.", "milex container template"};
    std::string python = "3.11";
    bool force = false;
    app.add_option("--python", python, "the Python version of the image (default: 3.11)");
    app.add_flag("--force", force, "replace a Dockerfile or requirements.txt that is there");
    std::vector<std::string> extras;
    if (auto done = parse(app, args, extras)) return *done;
    refuse_extras(app, extras);
    if (!python_version(python))
        throw UsageError(fmt::format("--python \"{}\": give a Python version such as 3.11 or 3.12.4", python));

    const std::vector<std::pair<std::string, std::string>> files = {
        {"Dockerfile", render::dockerfile(python, image_name(), version())},
        {"requirements.txt", render::requirements_file()},
    };
    std::vector<std::string> there;
    for (const auto& [name, content] : files)
        if (fs::exists(name)) there.push_back(name);
    if (!there.empty() && !force)
        throw Error(fmt::format("{} {} here already; nothing written (--force replaces {})", util::join(there, " and "),
                                there.size() == 1 ? "is" : "are", there.size() == 1 ? "it" : "them"));
    for (const auto& [name, content] : files) {
        if (auto written = util::write_file_atomic(name, content); !written) throw Error(written.error());
        std::cout << fmt::format("milex container: wrote {}\n", name);
    }
    std::cout << fmt::format("milex container: build it with: podman build -t localhost/{}:1 .\n", image_name());
    return 0;
}

int image_list_command(const Args& args) {
    CLI::App app{"List this host's images built from milex's Dockerfile template (podman, else docker).",
                 "milex container list"};
    std::vector<std::string> extras;
    if (auto done = parse(app, args, extras)) return *done;
    refuse_extras(app, extras);
    auto engine = image::find_engine();
    if (!engine) throw Error("milex container list needs podman or docker on this host; install podman");
    image::EngineImages images(*engine);
    const auto rows = images.list(image::k_template_label);
    if (rows.empty()) {
        std::cout << fmt::format("milex container: no {} image has the label {}; build one from the Dockerfile of "
                                 "milex container template\n",
                                 *engine, image::k_template_label);
        return 0;
    }
    size_t width = 4;
    for (const auto& row : rows) width = std::max(width, row.name.size());
    std::cout << fmt::format("{:<{}}  {:<12}  {:<16}  {}\n", "NAME", width, "ID", "CREATED", "SIZE");
    for (const auto& row : rows)
        std::cout << fmt::format("{:<{}}  {:<12}  {:<16}  {}\n", row.name, width, row.id, row.created, row.size);
    return 0;
}

} // namespace

int container_command(const Args& args) {
    static const std::vector<std::string> k_subcommands = {"template", "list"};
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << "usage: milex container template [--python 3.11] [--force]   write a starting Dockerfile and "
                     "requirements.txt here\n"
                     "       milex container list                            list this host's images made from it\n";
        return args.empty() ? 2 : 0;
    }
    const Args rest(args.begin() + 1, args.end());
    if (args[0] == "template") return template_command(rest);
    if (args[0] == "list") return image_list_command(rest);
    throw UsageError(fmt::format("milex container: unknown sub-command \"{}\"{}; use template or list", args[0],
                                 util::did_you_mean(args[0], k_subcommands)));
}

} // namespace milex::cli
