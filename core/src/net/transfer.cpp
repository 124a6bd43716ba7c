#include "net/transfer.h"

#include <algorithm>
#include <utility>

#include "net/ascii.h"
#include "net/transport_error.h"

namespace zcache::net {

namespace {

// Methods that carry a body even when it is empty (then "Content-Length: 0").
bool method_has_body(std::string_view method) noexcept {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

// Appends one "Name: value" line; false when libcurl is out of memory.
bool append_header(curl_slist*& list, std::string_view line) {
  curl_slist* next = curl_slist_append(list, std::string(line).c_str());
  if (!next) return false;
  list = next;
  return true;
}

}  // namespace

std::unique_ptr<Transfer> Transfer::create() {
  CURL* easy = curl_easy_init();
  if (!easy) return nullptr;
  return std::unique_ptr<Transfer>(new Transfer(easy));
}

Transfer::~Transfer() {
  curl_slist_free_all(header_list_);
  curl_easy_cleanup(easy_);
}

Transfer* Transfer::from_easy(CURL* easy) noexcept {
  char* self = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &self);
  return reinterpret_cast<Transfer*>(self);
}

TransportError Transfer::prepare(HttpRequest&& request, HttpClient::Callback&& done,
                                 const HttpClientOptions& options, std::string* why) {
  done_ = std::move(done);
  auto refuse = [&](std::string message) {
    *why = std::move(message);
    reset();
    return TransportError::InvalidRequest;
  };
  if (!is_token(request.method)) return refuse("bad method '" + request.method + "'");
  if (!is_safe_field_value(request.url)) return refuse("the URL contains CR, LF or NUL");

  const std::string& method = request.method;
  const bool head = method == "HEAD";
  const bool sends_body = !head && (!request.body.empty() || method_has_body(method));

  // Header fields, and the defaults libcurl would otherwise add to a body: no "Expect:
  // 100-continue" (a round trip for nothing on an API), no form Content-Type.
  bool has_content_type = false, has_expect = false;
  for (const auto& [name, value] : request.headers) {
    if (!is_token(name)) return refuse("bad header name '" + name + "'");
    if (!is_safe_field_value(value)) return refuse("header '" + name + "' contains CR, LF or NUL");
    has_content_type |= iequals(name, "content-type");
    has_expect |= iequals(name, "expect");
    // "Name;" is libcurl's spelling of a field with an empty value ("Name:" would remove it).
    if (!append_header(header_list_, value.empty() ? name + ";" : name + ": " + value)) {
      reset();
      *why = "out of memory";
      return TransportError::Internal;
    }
  }
  if (sends_body && ((!has_content_type && !append_header(header_list_, "Content-Type:")) ||
                     (!has_expect && !append_header(header_list_, "Expect:")))) {
    reset();
    *why = "out of memory";
    return TransportError::Internal;
  }

  const std::int64_t timeout_ms = request.timeout_ms > 0 ? request.timeout_ms : options.timeout_ms;
  max_body_ = options.max_response_bytes;

  CURL* e = easy_;
  curl_easy_setopt(e, CURLOPT_PRIVATE, this);
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // never SIGALRM: we are one thread among many
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, long(timeout_ms));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, long(std::min(options.connect_timeout_ms, timeout_ms)));
  curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(max_body_));  // refuses a large announced body early
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());

  if (head) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);  // a custom "HEAD" would wait for a body that never comes
  } else if (sends_body) {
    request_body_ = std::move(request.body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request_body_.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request_body_.data());
    if (method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (method != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  return TransportError::None;
}

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::size_t n = size * count;
  if (!t->head_.feed(std::string_view(data, n))) {
    t->too_large_ = true;
    return 0;  // any other count than n stops the transfer
  }
  return n;
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::size_t n = size * count;
  if (n > t->max_body_ - t->body_.size()) {  // a body without Content-Length, or one that lied
    t->too_large_ = true;
    return 0;
  }
  if (t->body_.empty()) {  // reserve once from Content-Length (already checked against the limit)
    curl_off_t length = -1;
    if (curl_easy_getinfo(t->easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK && length > 0 &&
        std::size_t(length) <= t->max_body_)
      t->body_.reserve(std::size_t(length));
  }
  t->body_.append(data, n);
  return n;
}

HttpResponse Transfer::finish(CURLcode code) {
  HttpResponse response;
  curl_off_t total_us = 0, pretransfer_us = 0;
  curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total_us);
  curl_easy_getinfo(easy_, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  connections_opened_ = 0;
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &connections_opened_);
  response.elapsed_us = total_us;

  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    response.status = int(status);
    response.headers = head_.take();
    response.body = std::move(body_);
  } else if (too_large_ || code == CURLE_FILESIZE_EXCEEDED) {
    response.error = TransportError::TooLarge;
    response.error_message = "the response is larger than max_response_bytes (" + std::to_string(max_body_) +
                             ") or its header larger than " + std::to_string(ResponseHead::kMaxHeaderBytes);
  } else {
    // libcurl records the pre-transfer time (at least 1 µs) once the request is about to be sent.
    response.error = classify_curl_result(code, pretransfer_us > 0);
    response.error_message = error_buffer_[0] ? error_buffer_ : curl_easy_strerror(code);
  }
  reset();
  return response;
}

HttpResponse Transfer::abort(TransportError error, std::string message) {
  HttpResponse response;
  response.error = error;
  response.error_message = std::move(message);
  reset();
  return response;
}

void Transfer::reset() noexcept {
  curl_easy_reset(easy_);  // options only: the easy handle keeps nothing else we rely on
  curl_slist_free_all(header_list_);
  header_list_ = nullptr;
  request_body_.clear();
  if (request_body_.capacity() > 64 * 1024) request_body_.shrink_to_fit();  // a pooled handle stays small
  head_.reset();
  body_ = std::string();
  too_large_ = false;
  error_buffer_[0] = '\0';
}

}  // namespace zcache::net
