// Serving a file from disk as a route (the OpenAPI spec at GET /api/openapi.yaml).
#ifndef EARSHOT_SERVER_HTTP_STATIC_FILE_H_
#define EARSHOT_SERVER_HTTP_STATIC_FILE_H_

#include <functional>
#include <string>

#include "earshot/server/http_message.h"

namespace earshot::server {

// A handler that answers with the file's bytes and `content_type`. The file is read on
// each request, so an edited spec is served without restart; a missing or unreadable
// file is a 404 naming the path's file name (not the full server path).
std::function<Response(const Request&)> ServeFile(std::string path, std::string content_type);

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_HTTP_STATIC_FILE_H_
