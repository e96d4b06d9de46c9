// Talking to the server with hand-written bytes, for what a well-behaved client never sends.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace cxco::test {

// Sends `bytes`, half-closes nothing, and reads until the server closes or `timeout_ms` passes.
// Answers what was received; `closed` tells whether the server closed the connection, `sent`
// how many bytes went out before sending failed (if it did).
struct RawExchange {
  std::string received;
  bool closed = false;
  std::size_t sent = 0;
};

// A connected socket to 127.0.0.1:port, or -1.
inline int raw_connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// raw_exchange on a socket already connected (and tuned) by the caller, which it closes.
inline RawExchange raw_exchange_on(int fd, const std::string& bytes, int timeout_ms = 3000) {
  RawExchange out;
  while (out.sent < bytes.size()) {
    const auto n = ::send(fd, bytes.data() + out.sent, bytes.size() - out.sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    out.sent += static_cast<std::size_t>(n);
  }
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) break;
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      out.closed = true;
      break;
    }
    out.received.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

// Sends `request` on `fd`, then reads (and drops) the answer until `bytes` have arrived, the
// server closes or nothing arrives for `timeout_ms`; answers how many arrived. The connection
// stays open: for a client that stops reading, or leaves, midway.
inline std::size_t raw_read_some_of_answer(int fd, const std::string& request, std::size_t bytes,
                                           int timeout_ms = 5000) {
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return 0;
  std::size_t received = 0;
  char buf[65536];
  while (received < bytes) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) break;
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    received += static_cast<std::size_t>(n);
  }
  return received;
}

inline RawExchange raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 3000) {
  const int fd = raw_connect(port);
  return fd < 0 ? RawExchange{} : raw_exchange_on(fd, bytes, timeout_ms);
}

}  // namespace cxco::test
