#include "milex/version.hpp"

namespace milex {
const std::string& version() {
    static const std::string text = MILEX_VERSION;
    return text;
}
} // namespace milex
