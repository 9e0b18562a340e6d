#pragma once
#include <string>

namespace milex {
/// milex's version, from the CMake project.
const std::string& version();
} // namespace milex
