#include "fakes/webhook_receiver.h"

namespace cxco::test {

std::string WebhookReceiver::Received::header(std::string_view lower) const {
  for (const auto& [k, v] : headers)
    if (k == lower) return v;
  return {};
}

WebhookReceiver::WebhookReceiver() {
  server_ = std::make_unique<http::Server>(http::ServerLimits{}, [this](http::Request&& r, http::Respond respond) {
    handle(std::move(r), std::move(respond));
  });
  server_->listen("127.0.0.1:0");
  thread_ = std::thread([this] { server_->run(false); });
}

WebhookReceiver::~WebhookReceiver() {
  for (auto& t : delayed_) t.join();
  server_->stop();
  thread_.join();
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
}

void WebhookReceiver::answer(int status) {
  std::lock_guard lock(mutex_);
  default_status_ = status;
}

void WebhookReceiver::fail_next(int n, int status) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < n; ++i) scripted_statuses_.push_back(status);
}

void WebhookReceiver::delay_next(int n, std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delayed_left_ = n;
  delay_ = delay;
}

void WebhookReceiver::handle(http::Request&& request, http::Respond respond) {
  http::Response res;
  std::chrono::milliseconds delay{0};
  {
    std::lock_guard lock(mutex_);
    received_.push_back({request.path, request.headers, request.body});
    res.status = default_status_;
    if (!scripted_statuses_.empty()) {
      res.status = scripted_statuses_.front();
      scripted_statuses_.pop_front();
    }
    if (delayed_left_ > 0) --delayed_left_, delay = delay_;
  }
  arrived_.notify_all();
  res.body = "{}";
  if (delay.count() == 0) return respond(std::move(res));
  // A slow endpoint: answer later from another thread, leaving the receiver's I/O free.
  std::lock_guard lock(mutex_);
  delayed_.emplace_back([delay, res = std::move(res), respond = std::move(respond)]() mutable {
    std::this_thread::sleep_for(delay);
    respond(std::move(res));
  });
}

std::vector<WebhookReceiver::Received> WebhookReceiver::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t WebhookReceiver::count() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

bool WebhookReceiver::wait_for(std::size_t n, std::chrono::milliseconds within) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, within, [&] { return received_.size() >= n; });
}

}  // namespace cxco::test
