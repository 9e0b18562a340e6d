#pragma once
/// The files `milex container template` writes: a Dockerfile to start an image from and its
/// requirements.txt, from templates/ (built into the binary).
#include <string>

namespace milex::render {

/// The Dockerfile for Python `python_version` (e.g. "3.11"), labelled `milex.template=<version>`
/// so that `milex container list` finds the images built from it; `name` is the image name
/// its comments suggest.
std::string dockerfile(const std::string& python_version, const std::string& name, const std::string& version);

/// The starting requirements.txt.
std::string requirements_file();

} // namespace milex::render
