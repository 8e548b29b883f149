// The public register's templates and static assets, compiled into the binary at build time
// (registry/web/CMakeLists.txt), so the service needs no files beside it.
#pragma once

#include <optional>
#include <string_view>

namespace medmij::web {

// The text of `name`, a path relative to registry/web/ ("templates/overview.mustache",
// "static/register.css"), or nullopt when no such file was embedded.
std::optional<std::string_view> EmbeddedWebFile(std::string_view name);

}  // namespace medmij::web
