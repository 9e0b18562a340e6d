#pragma once
/// The front end (milex/web/static/), embedded at build time (assets.cmake writes the source):
/// nothing is read from disk at run time.
#include <optional>
#include <string_view>

namespace milex::web {

struct Asset {
    std::string_view path;  ///< "/app.js"
    std::string_view type;  ///< "text/javascript; charset=utf-8"
    std::string_view body;
    std::string_view gzip;  ///< the body gzipped at build time (level 9)
};

/// The asset served at `path`, if any.
std::optional<Asset> find_asset(std::string_view path);

} // namespace milex::web
