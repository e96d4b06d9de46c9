// The voice catalogue (reference "Voices"), Any Key; operators add voices via the admin API.
#include "api/api.h"
#include "api/input.h"
#include "util/json.h"

namespace cxco::api {

namespace {

using wire::kOptional;
using wire::kRequired;

http::Response list_voices(Call& call) {
  auto q = Input::query(call.request);
  domain::VoiceFilter filter;
  filter.language = q.string("language", kOptional, 16);
  filter.gender = q.string("gender", kOptional, 32);
  filter.accent = q.string("accent", kOptional, 64);
  q.check();
  return json_response(200, call.services.catalog.voices(filter));
}

http::Response get_voice(Call& call) {
  return json_response(200, call.services.catalog.voice(id_param(call.request, "voice_id")));
}

http::Response create_voice(Call& call) {
  auto in = Input::body(call.request);
  domain::Voice v;
  const auto provider_id = in.integer("provider_id", kOptional, 1);
  const auto external = in.string("external_voice_id", kRequired, 128);
  const auto name = in.string("name", kRequired, 255);
  const auto language = in.language("language", kRequired);
  v.gender = in.string("gender", kOptional, 32);
  v.accent = in.string("accent", kOptional, 64);
  v.preview_url = in.string("preview_url", kOptional, 2048);
  if (const auto* tags = in.object("tags").object()) v.tags_json = util::to_json(*tags);
  const auto status = in.one_of("status", kOptional, {"active", "inactive"});
  in.check();
  v.provider_id = provider_id.value_or(1);
  v.external_voice_id = *external;
  v.name = *name;
  v.language = *language;
  v.status = status.value_or("active");
  return json_response(201, call.services.catalog.add_voice(v));
}

}  // namespace

void add_voice_routes(Routes& routes) {
  routes.add("GET", "/api/voices/", {Access::any_key, list_voices});
  routes.add("GET", "/api/voices/{voice_id}", {Access::any_key, get_voice});
  routes.add("POST", "/api/admin/voices", {Access::admin, create_voice});
}

}  // namespace cxco::api
