#include "earshot/server/http_router.h"

#include <algorithm>

namespace earshot::server {
namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. Keeps a trailing empty segment so that
// "/x/" does not match "/x".
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Result<std::size_t> HttpRouter::Add(std::string_view method, std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    return Fail("route", std::string(pattern), "expected a pattern starting with '/'");
  }
  Route route{std::string(method), std::string(pattern), {}};
  for (std::string_view segment : SplitPath(pattern)) {
    if (!IsParam(segment) && (segment.find('{') != std::string_view::npos ||
                              segment.find('}') != std::string_view::npos)) {
      return Fail("route", std::string(pattern),
                  "expected a parameter to fill a whole segment, as {id}");
    }
    route.segments.emplace_back(segment);
  }
  for (const Route& other : routes_) {
    if (other.method == route.method && other.segments == route.segments) {
      return Fail("route", std::string(pattern), "already registered for this method");
    }
  }
  routes_.push_back(std::move(route));
  return routes_.size() - 1;
}

HttpRouter::Match HttpRouter::Find(std::string_view method, std::string_view path) const {
  Match match;
  const std::vector<std::string_view> segments = SplitPath(path);
  // Literal segments win over parameters: /incidents/open before /incidents/{id}.
  int best_literals = -1;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    int literals = 0;
    bool matches = true;
    for (std::size_t s = 0; s < segments.size() && matches; ++s) {
      const std::string& want = route.segments[s];
      if (IsParam(want)) {
        if (segments[s].empty()) matches = false;
        params[want.substr(1, want.size() - 2)] = std::string(segments[s]);
      } else if (want == segments[s]) {
        ++literals;
      } else {
        matches = false;
      }
    }
    if (!matches) continue;
    if (route.method != method) {
      if (std::find(match.allowed_methods.begin(), match.allowed_methods.end(), route.method) ==
          match.allowed_methods.end()) {
        match.allowed_methods.push_back(route.method);
      }
      continue;
    }
    if (literals > best_literals) {
      best_literals = literals;
      match.outcome = Outcome::kFound;
      match.route_index = i;
      match.pattern = route.pattern;
      match.path_params = std::move(params);
    }
  }
  if (match.outcome != Outcome::kFound && !match.allowed_methods.empty()) {
    match.outcome = Outcome::kWrongMethod;
  }
  if (match.outcome == Outcome::kFound) match.allowed_methods.clear();
  return match;
}

}  // namespace earshot::server
