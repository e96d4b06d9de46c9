#include "http/types.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cxco::http {

namespace {
std::optional<std::string_view> find(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

constexpr std::size_t kSpooledPiece = 64 * 1024;
}  // namespace

SpooledBody::~SpooledBody() { ::close(fd_); }

void SpooledBody::read(const std::function<void(std::string_view)>& consume) const {
  std::string piece(kSpooledPiece, '\0');
  // pread keeps no file position, so the body can be read again, from any thread.
  for (off_t offset = 0;;) {
    const auto n = ::pread(fd_, piece.data(), piece.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("cannot read the spooled request body: ") + std::strerror(errno));
    if (n == 0) return;
    consume(std::string_view(piece.data(), static_cast<std::size_t>(n)));
    offset += n;
  }
}

std::optional<std::string_view> Request::header(std::string_view lower_name) const { return find(headers, lower_name); }
std::optional<std::string_view> Request::query_param(std::string_view name) const { return find(query, name); }
std::string_view Request::path_param(std::string_view name) const { return find(path_params, name).value_or(""); }

void Request::read_body(const std::function<void(std::string_view)>& consume) const {
  if (spooled_body) return spooled_body->read(consume);
  consume(body);
}

}  // namespace cxco::http
