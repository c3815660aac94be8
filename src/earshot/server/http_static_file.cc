#include "earshot/server/http_static_file.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace earshot::server {

std::function<Response(const Request&)> ServeFile(std::string path, std::string content_type) {
  return [path = std::move(path), content_type = std::move(content_type)](const Request&) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return ErrorResponse(404, std::string("file not available: ")
                                    .append(std::filesystem::path(path).filename().string()));
    }
    Response response;
    response.content_type = content_type;
    response.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return response;
  };
}

}  // namespace earshot::server
