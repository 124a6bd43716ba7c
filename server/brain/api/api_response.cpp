#include "brain/api/api_response.h"

namespace zcache::brain {

http::Response json_response(int status, const nlohmann::json& body) {
  // Replace invalid UTF-8 instead of throwing: a node's region or a selector could carry it.
  return http::Response::json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response error_response(int status, std::string_view code, std::string_view message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

http::Response field_error_response(const FieldError& error) {
  return json_response(400, {{"error", {{"code", "invalid_request"}, {"message", error.describe()}, {"field", error.field}}}});
}

http::Response unauthorized_response(std::string_view message) {
  http::Response r = error_response(401, "unauthorized", message);
  r.headers.set("WWW-Authenticate", "Bearer");
  return r;
}

http::Response method_not_allowed_response(std::string_view allow) {
  http::Response r = error_response(405, "method_not_allowed", "allowed methods: " + std::string(allow));
  r.headers.set("Allow", std::string(allow));
  return r;
}

http::Response not_found_response(std::string_view message) { return error_response(404, "not_found", message); }

Checked<nlohmann::json> parse_json_object(const std::string& body) {
  Checked<nlohmann::json> out;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    out.error = {"body", body.empty() ? "is empty; expected a JSON object" : "is not valid JSON"};
  } else if (!parsed.is_object()) {
    out.error = {"body", "must be a JSON object"};
  } else {
    out.value = std::move(parsed);
  }
  return out;
}

}  // namespace zcache::brain
