#!/usr/bin/env python3
"""The contract check fails where it must: logs with known defects, checked against the real
definitions (CXCO_PROVIDER_DEFINITIONS names their directory)."""

import copy
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validate  # noqa: E402

DEFINITIONS = os.environ["CXCO_PROVIDER_DEFINITIONS"]

AGENT = {"name": "Acme front desk",
         "conversation_config": {"agent": {"first_message": "Hi", "language": "en",
                                           "prompt": {"prompt": "You are the receptionist.", "temperature": 0.3}},
                                 "tts": {"voice_id": "21m00Tcm4TlvDq8ikWAM"},
                                 "conversation": {"max_duration_seconds": 900}}}
SIP_NUMBER = {"phone_number": "+27211234567", "label": "Main", "provider": "sip_trunk", "supports_inbound": True,
              "supports_outbound": True, "inbound_trunk_config": {"media_encryption": "allowed"},
              "outbound_trunk_config": {"address": "sip.example.com", "transport": "tls", "credentials": None}}
EL = "elevenlabs-openapi.json#/components/schemas/"


def call(provider, method, path, request=None, status=200, response=None, route="", query=()):
    return {"kind": "call", "test": "Suite.Case", "provider": provider, "method": method, "path": path,
            "route": route, "query": [list(q) for q in query],
            "request": "" if request is None else json.dumps(request),
            "status": status, "response": "" if response is None else json.dumps(response)}


def payload(path, body, exemption=None):
    return {"kind": "payload", "test": "Suite.Case", "method": "POST", "path": path,
            "body": body if isinstance(body, str) else json.dumps(body), "exemption": exemption}


class ContractCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.definitions = validate.load_definitions(DEFINITIONS)

    def check(self, *lines, known=(), definitions=None):
        """The failures of a log of `lines`: {(direction, operation, instance, schema): message}."""
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as log:
            for line in ({"kind": "begin"},) + lines + ({"kind": "end"},):
                log.write(json.dumps(line) + "\n")
            log.flush()
            _, report, _ = validate.validate(log.name, definitions or self.definitions, list(known))
        failures = {key[1:5]: key[5] for key in report.failures}
        failures.update({("stale", e["operation"], e["instance"], e["schema"]): "" for e in report.stale_known()})
        return failures

    def test_requests_as_the_definition_has_them_pass(self):
        self.assertEqual(self.check(
            call("elevenlabs", "POST", "/v1/convai/agents/create", AGENT, 200, {"agent_id": "a1"}),
            call("elevenlabs", "POST", "/v1/convai/phone-numbers", SIP_NUMBER, 200, {"phone_number_id": "p1"}),
            call("elevenlabs", "GET", "/v1/convai/conversations", status=200,
                 response={"conversations": [], "has_more": False, "next_cursor": None},
                 query=[("page_size", "100"), ("call_start_after_unix", "1750000000")])), {})

    def test_a_renamed_property_is_undeclared(self):
        agent = copy.deepcopy(AGENT)
        agent["conversation_config"]["agent"]["first_msg"] = agent["conversation_config"]["agent"].pop("first_message")
        self.assertEqual(self.check(call("elevenlabs", "POST", "/v1/convai/agents/create", agent, 200, {"agent_id": "a"})),
                         {("request", "POST /v1/convai/agents/create", "/conversation_config/agent/first_msg",
                           EL + "AgentConfigAPIModel-Input/properties"):
                          "'first_msg' is not a property the definition declares"})

    def test_errors_under_any_of_come_from_the_branch_meant(self):
        number = copy.deepcopy(SIP_NUMBER)
        number["outbound_trunk_config"]["transport"] = "sctp"
        failures = self.check(call("elevenlabs", "POST", "/v1/convai/phone-numbers", number, 200, {"phone_number_id": "p"}))
        self.assertEqual(list(failures), [("request", "POST /v1/convai/phone-numbers", "/outbound_trunk_config/transport",
                                           EL + "SIPTrunkTransportEnum/enum")])

    def test_a_path_the_definition_lacks_fails(self):
        failures = self.check(call("elevenlabs", "POST", "/v1/convai/phone_numbers", SIP_NUMBER, 404, {}))
        self.assertEqual(list(failures), [("request", "POST /v1/convai/phone_numbers", "", "elevenlabs-openapi.json")])
        failures = self.check(call("llm", "POST", "/chat/completions", {"model": "m", "messages": []}, 404, {}))
        self.assertIn("is not under the servers' path /v1/", list(failures.values())[0])

    def test_graph_paths_match_after_the_version_and_by_the_fakes_parameter_names(self):
        status = {"id": "106540352242922", "display_phone_number": "+27 211234567", "quality_rating": "GREEN"}
        self.assertEqual(self.check(call("whatsapp", "GET", "/v21.0/106540352242922", None, 200, status,
                                         route="/v21.0/{phone_number_id}", query=[("fields", "status")])), {})
        failures = self.check(call("whatsapp", "GET", "/v21.0/106540352242922", None, 200, status))
        self.assertIn("fits 15 operations", list(failures.values())[0])
        failures = self.check(call("whatsapp", "POST", "/v21.0/abc/register", {"messaging_product": "whatsapp", "pin": "123456"},
                                   200, {"success": True}, route="/v21.0/{phone_number_id}/register"))
        self.assertEqual([key[2] for key in failures], ["{Phone-Number-ID}"])

    def test_query_parameters_are_typed_checked_and_closed(self):
        failures = self.check(call("elevenlabs", "GET", "/v1/convai/conversations", None, 200,
                                   {"conversations": [], "has_more": False},
                                   query=[("page_size", "101"), ("pagesize", "1")]))
        self.assertEqual(sorted(key[2] for key in failures), ["?page_size", "?pagesize"])

    def test_answers_are_checked_open(self):
        self.assertEqual(self.check(call("elevenlabs", "POST", "/v1/convai/agents/create", AGENT, 200,
                                         {"agent_id": "a", "added_later": True})), {})
        failures = self.check(call("elevenlabs", "POST", "/v1/convai/agents/create", AGENT, 200, {"id": "a"}))
        self.assertEqual(list(failures), [("response", "POST /v1/convai/agents/create", "",
                                           EL + "CreateAgentResponseModel/required")])

    def test_statuses_the_operation_lacks(self):
        create = ("elevenlabs", "POST", "/v1/convai/agents/create", AGENT)
        self.assertEqual(self.check(call(*create, 401, {"detail": {"status": "invalid_api_key", "message": "No"}})), {})
        failures = self.check(call(*create, 401, {"error": "No"}))
        self.assertEqual([key[3] for key in failures], ["tests/contract/providers.json#/elevenlabs/errors/required"])
        failures = self.check(call(*create, 201, {"agent_id": "a"}))
        self.assertEqual(list(failures.values()), ["the operation has no 201 answer"])

    def test_audio_answers_are_checked_by_type_and_206_only_for_a_range(self):
        audio = ("elevenlabs", "GET", "/v1/convai/conversations/c1/audio")

        def streamed(status, content_type, ranged):
            line = call(*audio, status=status)
            line["content_type"] = content_type
            if ranged:
                line["range"] = "bytes=0-99"
            return line

        self.assertEqual(self.check(streamed(200, "audio/mpeg", False), streamed(206, "audio/mpeg", True)), {})
        failures = self.check(streamed(200, "audio/wav", False))
        self.assertEqual(list(failures.values()), ["the 200 answer has no audio/wav body"])
        failures = self.check(streamed(206, "audio/mpeg", False))
        self.assertEqual(list(failures.values()), ["the operation has no 206 answer"])

    def test_webhooks_meta_examples_pass_only_relaxed(self):
        whatsapp = self.definitions["whatsapp"]
        example = whatsapp.document["paths"]["/whatsapp/webhooks"]["post"]["requestBody"]["content"][
            "application/json"]["examples"]["Text Message"]["value"]
        notification = payload("/api/integrations/whatsapp/webhook", example)
        self.assertEqual(self.check(notification), {})
        with open(os.path.join(os.path.dirname(validate.__file__), "providers.json")) as f:
            shapes = json.load(f)
        strict = dict(self.definitions, whatsapp=validate.Definition(
            "whatsapp", dict(shapes["whatsapp"], relaxations=[]), DEFINITIONS, shapes))
        self.assertNotEqual(self.check(notification, definitions=strict), {})

    def test_post_call_webhook_data_is_the_conversation_model(self):
        empty = {"type": "post_call_transcription", "event_timestamp": 1, "data": {}}
        failures = self.check(payload("/api/integrations/elevenlabs/post-call", empty))
        self.assertIn(("payload", "POST /api/integrations/elevenlabs/post-call", "/data",
                       EL + "GetConversationResponseModel/required"), failures)
        # A company's own workspace sends the same webhook to the URL that names the company.
        failures = self.check(payload("/api/integrations/elevenlabs/post-call/7", empty))
        self.assertIn(("payload", "POST /api/integrations/elevenlabs/post-call/{company_id}", "/data",
                       EL + "GetConversationResponseModel/required"), failures)
        failures = self.check(payload("/api/integrations/elevenlabs/post-call/7/8", {}))
        self.assertIn("no provider payload schema", list(failures.values())[0])

    def test_exemptions_are_reported_and_must_be_needed(self):
        exemption = {"kind": "exemption", "id": 1, "test": "Suite.Case", "reason": "malformed on purpose"}
        self.assertEqual(self.check(exemption, payload("/api/integrations/whatsapp/webhook", "{not json", 1)), {})
        valid = {"object": "whatsapp_business_account", "entry": []}
        failures = self.check(exemption, payload("/api/integrations/whatsapp/webhook", valid, 1))
        self.assertEqual(list(failures), [("payload", "ContractExempt", "", "-")])

    def test_known_violations_pass_and_stale_ones_fail(self):
        number = copy.deepcopy(SIP_NUMBER)
        number["outbound_trunk_config"]["transport"] = "sctp"
        entry = {"provider": "elevenlabs", "direction": "request", "operation": "POST /v1/convai/phone-numbers",
                 "instance": "/outbound_trunk_config/transport", "schema": EL + "SIPTrunkTransportEnum/enum"}
        wrong = call("elevenlabs", "POST", "/v1/convai/phone-numbers", number, 200, {"phone_number_id": "p"})
        self.assertEqual(self.check(wrong, known=[entry]), {})
        right = call("elevenlabs", "POST", "/v1/convai/phone-numbers", SIP_NUMBER, 200, {"phone_number_id": "p"})
        self.assertEqual(list(self.check(right, known=[entry])),
                         [("stale", entry["operation"], entry["instance"], entry["schema"])])

    def test_unfinished_or_empty_logs_fail(self):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as log:
            log.write(json.dumps({"kind": "begin"}) + "\n")
            log.flush()
            with self.assertRaisesRegex(SystemExit, "did not finish"):
                validate.validate(log.name, self.definitions, [])
        with self.assertRaisesRegex(SystemExit, "no provider exchange"):
            self.check()


if __name__ == "__main__":
    unittest.main()
