// Maps (method, path) to a route: patterns like /api/v1/incidents/{id}.
//
// A pattern is split at '/'; a segment "{name}" matches any one non-empty segment and
// binds it as a path parameter. Lookup tells "no such path" (404) from "path exists but
// not with this method" (405, with the methods that would work for the Allow header).
#ifndef EARSHOT_SERVER_HTTP_ROUTER_H_
#define EARSHOT_SERVER_HTTP_ROUTER_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "earshot/core/error.h"

namespace earshot::server {

class HttpRouter {
 public:
  enum class Outcome { kFound, kNoPath, kWrongMethod };

  struct Match {
    Outcome outcome = Outcome::kNoPath;
    std::size_t route_index = 0;                     // when kFound: as returned by Add
    std::string pattern;                             // when kFound
    std::map<std::string, std::string> path_params;  // when kFound
    std::vector<std::string> allowed_methods;        // when kWrongMethod
  };

  // Adds a route and returns its index; an Error when the pattern is not "/seg/{param}/..."
  // or the same method and pattern are already taken.
  Result<std::size_t> Add(std::string_view method, std::string_view pattern);

  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{id}" kept as written
  };
  std::vector<Route> routes_;
};

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_HTTP_ROUTER_H_
