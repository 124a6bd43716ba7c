// brain/api/api_response.h — the responses every brain route shares: JSON bodies, the house error
// shape {"error":{"code","message"[,"field"]}}, and request bodies parsed as JSON objects.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "brain/store/node_registration.h"
#include "http/response.h"

namespace zcache::brain {

http::Response json_response(int status, const nlohmann::json& body);

// {"error":{"code":"...","message":"..."}}.
http::Response error_response(int status, std::string_view code, std::string_view message);
// 400 {"error":{"code":"invalid_request","message":"field: why","field":"field"}}.
http::Response field_error_response(const FieldError& error);
// 401 with WWW-Authenticate: Bearer (RFC 6750 §3).
http::Response unauthorized_response(std::string_view message);
// 405 with Allow.
http::Response method_not_allowed_response(std::string_view allow);
http::Response not_found_response(std::string_view message);

// The request body as a JSON object; otherwise a FieldError naming "body". The Content-Type is
// not looked at: a JSON body is accepted whatever the client labelled it.
Checked<nlohmann::json> parse_json_object(const std::string& body);

}  // namespace zcache::brain
