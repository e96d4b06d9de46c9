#!/usr/bin/env python3
"""Checks the contract log of an API suite run against the providers' official API definitions.

The API suite (tests/api) logs one JSON line per exchange (tests/contract/contract_log.h): each
request our provider clients sent a fake together with the fake's answer, and each payload a
test delivered to one of the server's /api/integrations/ endpoints as the provider would. Each
line is matched to its operation in the provider's definition (method and path template, after
the servers' path prefix; Graph's /{Version} segment is a path parameter there) and validated
with JSON Schema 2020-12:

- requests closed: body, path and query parameters must validate, and a property or query
  parameter the definition does not declare is a violation too (the provider would ignore or
  refuse it);
- the fakes' answers and the webhook payloads open, as providers add fields: a status the
  operation does not list is checked against the provider's error schema (providers.json) if it
  is an error, and is a violation otherwise.

A request to an operation the definition does not have, or a payload to an endpoint providers.json
does not map, is a violation. Violations listed in known_violations.json are reported but do not
fail; an entry that no longer matches anything fails, so the fix removes it. Payloads a test sends
under a ContractExempt guard are reported with its reason; a guard that covers no invalid payload
fails.

The log is renamed LOG.checked before it is read, so each API run is checked once: a check
without its run fails for want of a log rather than passing or failing on an earlier run's.

Usage: validate.py --definitions DIR [--skip-unless-set VAR] LOG
"""

import argparse
import copy
import json
import os
import re
import sys
import time
from collections import defaultdict
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, RefResolver

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(tokens):
    return "".join("/" + escape(t) for t in tokens)


def resolve(document, json_pointer):
    node = document
    for token in json_pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def shorten(text, limit=240):
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Site:
    """Where a schema is: the file it is reported as, the document and the JSON pointer in it."""

    def __init__(self, file, document, json_pointer):
        self.file, self.document, self.pointer = file, document, json_pointer

    def node(self):
        return resolve(self.document, self.pointer)

    def child(self, *tokens):
        return Site(self.file, self.document, self.pointer + pointer(tokens))

    def __str__(self):
        return f"{self.file}#{self.pointer}"


# --- Relaxations of a definition, named in providers.json. Each answers how many places it
# changed: one that changes nothing is stale (the publisher fixed the document) and fails.


def open_allof_branches(document):
    """Meta puts additionalProperties: false inside allOf branches of message objects, e.g.
    TextMessage = allOf [BaseMessageProperties, {additionalProperties: false, properties: {type,
    text}}], so no message satisfies both branches (third_party/provider-apis/README.md). The keyword
    is dropped from allOf branches; requests stay closed through the check of undeclared
    properties, which sees the properties of every branch."""
    changed = 0
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for branch in node.get("allOf", []):
                if isinstance(branch, dict) and branch.get("additionalProperties") is False:
                    del branch["additionalProperties"]
                    changed += 1
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return changed


def inbound_message_base(document):
    """The webhook's message schemas (IncomingMessage's branches, SystemMessage) are the send
    schemas, allOf [BaseMessageProperties, ...], which require messaging_product, recipient_type
    and to: no notification has them, and the document's own webhook examples fail. Messages in
    notifications carry from, id, timestamp and type instead (the same examples, providers.md
    2.3). Below the webhook operation those branches get that base; sendMessage keeps its own."""
    schemas = document["components"]["schemas"]
    outbound = "#/components/schemas/BaseMessageProperties"
    inbound_base = "#/components/schemas/InboundMessageProperties"
    schemas["InboundMessageProperties"] = {
        "type": "object",
        "required": ["from", "id", "timestamp", "type"],
        "properties": {name: {"type": "string"} for name in ("from", "id", "timestamp", "type")},
    }
    copies = {}  # "#/components/schemas/X" -> "#/components/schemas/InboundX", for X on that base

    def inbound(ref):
        name = ref.rsplit("/", 1)[1]
        if {"$ref": outbound} not in schemas.get(name, {}).get("allOf", []):
            return ref
        if ref not in copies:
            copy_of = copy.deepcopy(schemas[name])
            copy_of["allOf"] = [{"$ref": inbound_base} if b == {"$ref": outbound} else b for b in copy_of["allOf"]]
            schemas["Inbound" + name] = copy_of
            copies[ref] = "#/components/schemas/Inbound" + name
        return copies[ref]

    seen = set()

    def visit(node):
        if isinstance(node, list):
            for item in node:
                visit(item)
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        if str(node.get("$ref", "")).startswith("#/components/schemas/"):
            node["$ref"] = inbound(node["$ref"])
            visit(schemas[node["$ref"].rsplit("/", 1)[1]])
        mapping = node.get("discriminator", {}).get("mapping", {})
        for key, ref in mapping.items():
            mapping[key] = inbound(ref)
        for value in node.values():
            visit(value)

    visit(document["paths"]["/whatsapp/webhooks"]["post"]["requestBody"])
    return len(copies)


RELAXATIONS = {f.__name__: f for f in (open_allof_branches, inbound_message_base)}


class Operation:
    def __init__(self, definition, template, method):
        self.method = method.upper()
        self.name = f"{self.method} {template}"
        self.site = Site(definition.file, definition.document, pointer(["paths", template, method]))
        self.id = self.site.node().get("operationId") or self.name
        self.segments = template.strip("/").split("/")
        # Path-item parameters, overridden by the operation's own; keyed by (in, name).
        self.parameters = {}
        for owner in (Site(definition.file, definition.document, pointer(["paths", template])), self.site):
            for index, _ in enumerate(owner.node().get("parameters", [])):
                site = definition.follow(owner.child("parameters", index))
                node = site.node()
                self.parameters[(node["in"], node["name"])] = site

    def match(self, segments):
        """The path parameters when `segments` fit the template, else None."""
        if len(segments) != len(self.segments):
            return None
        values = {}
        for template, segment in zip(self.segments, segments):
            if template.startswith("{") and template.endswith("}"):
                if not segment:
                    return None
                values[template[1:-1]] = segment
            elif template != segment:
                return None
        return values

    def literals(self):
        """Ranks matching templates: literal segments win over parameters, earlier ones first."""
        return tuple(not s.startswith("{") for s in self.segments)


def normalised(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


class Definition:
    """One provider's OpenAPI 3.1 document, relaxed as providers.json says, indexed by operation."""

    def __init__(self, provider, config, directory, shapes):
        self.provider, self.file = provider, config["definition"]
        path = os.path.join(directory, self.file)
        with open(path) as f:
            self.document = json.load(f)
        for name in config["relaxations"]:
            if RELAXATIONS[name](self.document) == 0:
                raise SystemExit(f"relaxation {name} no longer changes {path}: remove it from providers.json")
        self.resolver = RefResolver("", self.document)
        servers = self.document.get("servers") or [{"url": ""}]
        self.prefix = urlsplit(servers[0]["url"]).path.rstrip("/")
        self.operations = [Operation(self, template, method)
                           for template, item in self.document["paths"].items() for method in item if method in METHODS]
        shapes_site = Site("tests/contract/providers.json", shapes, pointer([provider]))
        self.errors = shapes_site.child("errors")
        self.webhooks = {endpoint: shapes_site.child("webhooks", endpoint) for endpoint in config["webhooks"]}
        # Further endpoints (path templates) that receive the payload of one in `webhooks`.
        for endpoint, same_as in config.get("webhook_routes", {}).items():
            if not endpoint.startswith("$"):
                self.webhooks[endpoint] = self.webhooks[same_as]
        self.validators = {}

    def follow(self, site):
        """The site a $ref at `site` points to (the site itself when it is no reference)."""
        node = site.node()
        while isinstance(node, dict) and "$ref" in node:
            if not node["$ref"].startswith("#/"):
                raise SystemExit(f"{site}: only local references are supported, not {node['$ref']}")
            site = Site(self.file, self.document, node["$ref"][1:])
            node = site.node()
        return site

    def operation(self, method, path, route):
        """The operation of a request, or None and why not."""
        if not path.startswith(self.prefix + "/"):
            return None, f"{path} is not under the servers' path {self.prefix}/"
        segments = path[len(self.prefix):].strip("/").split("/")
        found = [op for op in self.operations if op.method == method and op.match(segments) is not None]
        if not found:
            return None, f"the definition has no operation {method} {path}"
        best = max(op.literals() for op in found)
        found = [op for op in found if op.literals() == best]
        if len(found) > 1 and route:
            # Templates that differ only in their parameters' names: the fake's route names them.
            hint = route.strip("/").split("/")
            found = [op for op in found if all(normalised(t) == normalised(h) for t, h in zip(op.segments, hint)
                                               if t.startswith("{") and h.startswith("{"))] or found
        if len(found) > 1:
            return None, f"{method} {path} fits {len(found)} operations: " + ", ".join(op.id for op in found)
        return found[0], None

    # --- validation

    def validator(self, site):
        key = (site.file, site.pointer)
        if key not in self.validators:
            self.validators[key] = Draft202012Validator(site.node(), resolver=self.resolver)
        return self.validators[key]

    def check(self, site, instance, closed):
        """(instance pointer, schema location, message) of each violation of `instance`."""
        found = [v for error in self.validator(site).iter_errors(instance) for v in self.leaves(error, site)]
        if closed:
            found += self.undeclared(site, instance)
        return found

    def leaves(self, error, site):
        """Errors under anyOf/oneOf are reported from the branch meant (by discriminator) or
        closest to fitting, down to the keyword that failed."""
        if error.validator in ("anyOf", "oneOf") and error.context:
            branches = defaultdict(list)
            for sub in error.context:
                branches[sub.relative_schema_path[0]].append(sub)
            return [v for sub in branches[self.branch(error, branches)] for v in self.leaves(sub, site)]
        return [(pointer(error.absolute_path), self.locate(site, error.absolute_schema_path), shorten(error.message))]

    @staticmethod
    def branch(error, branches):
        discriminator = error.schema.get("discriminator") if isinstance(error.schema, dict) else None
        if discriminator and isinstance(error.instance, dict):
            wanted = discriminator.get("mapping", {}).get(error.instance.get(discriminator["propertyName"]))
            for index, branch in enumerate(error.validator_value):
                if index in branches and branch.get("$ref") == wanted:
                    return index
        # Otherwise the branch closest to fitting: the value's kind first, then its tags (a
        # property's const or enum), then the number of errors.
        def misfit(i):
            return (sum(1 for e in branches[i] if not e.relative_path and e.validator in ("type", "const", "enum")),
                    sum(1 for e in branches[i] if len(e.relative_path) == 1 and e.validator in ("const", "enum")),
                    len(branches[i]))
        return min(branches, key=misfit)

    def locate(self, site, schema_path):
        """The location of the keyword at `schema_path` below `site`, through the $refs taken."""
        node = site.node()
        for step in schema_path:
            if isinstance(node, dict) and "$ref" in node and step not in node:
                site = self.follow(site)
                node = site.node()
            node = node[step]
            site = site.child(step)
        return str(site)

    def expand(self, site, value, seen=()):
        """`site` and the sites that apply to `value` with it: through $ref, allOf, the anyOf and
        oneOf branches `value` validates against (all when none does) and if/then/else."""
        if site.pointer in seen:
            return []
        seen = seen + (site.pointer,)
        node = site.node()
        if not isinstance(node, dict):
            return []
        out = [(site, node)]
        if "$ref" in node:
            out += self.expand(self.follow(site), value, seen)
        for index, _ in enumerate(node.get("allOf", [])):
            out += self.expand(site.child("allOf", index), value, seen)
        for keyword in ("anyOf", "oneOf"):
            branches = [site.child(keyword, i) for i, _ in enumerate(node.get(keyword, []))]
            fitting = [b for b in branches if self.validator(b).is_valid(value)] or branches
            for branch in fitting:
                out += self.expand(branch, value, seen)
        if "if" in node:
            taken = "then" if self.validator(site.child("if")).is_valid(value) else "else"
            if taken in node:
                out += self.expand(site.child(taken), value, seen)
        return out

    def undeclared(self, site, instance):
        """Properties the schema does not declare, at any depth of `instance`."""
        found = []

        def walk(sites, value, path):
            nodes = [pair for s in sites for pair in self.expand(s, value)]
            if isinstance(value, dict):
                declaring = [(s, n) for s, n in nodes if isinstance(n.get("properties"), dict)]
                is_open = not declaring or any(
                    n.get("additionalProperties", False) is not False or "patternProperties" in n for _, n in nodes)
                for key, item in value.items():
                    children = [s.child("properties", key) for s, n in declaring if key in n["properties"]]
                    children += [s.child("additionalProperties") for s, n in nodes
                                 if isinstance(n.get("additionalProperties"), dict)]
                    if not children and not is_open:
                        found.append((pointer(path + [key]), str(declaring[0][0].child("properties")),
                                      f"{key!r} is not a property the definition declares"))
                    walk(children, item, path + [key])
            elif isinstance(value, list):
                children = [s.child("items") for s, n in nodes if isinstance(n.get("items"), dict)]
                for index, item in enumerate(value):
                    walk(children, item, path + [index])

        walk([site], instance, [])
        return found

    # --- the lines of the log

    def check_call(self, line):
        """Violations of one exchange with a fake: (direction, operation, instance, schema, message)."""
        op, problem = self.operation(line["method"], line["path"], line["route"])
        if op is None:
            return [("request", f"{line['method']} {line['path']}", "", self.file, problem)]
        found = [("request", op) + v for v in self.check_parameters(op, line)]
        found += [("request", op) + v for v in self.check_request_body(op, line["request"])]
        found += [("response", op) + v for v in self.check_response(
            op, line["status"], line["response"], line.get("content_type", "application/json"), "range" in line)]
        return found

    def check_parameters(self, op, line):
        found = []
        values = op.match(line["path"][len(self.prefix):].strip("/").split("/"))
        for name, value in values.items():
            site = op.parameters.get(("path", name))
            if site is None:
                found.append((f"{{{name}}}", str(op.site), f"path parameter {name} is not declared"))
            else:
                found += [(f"{{{name}}}", s, m) for _, s, m in self.check(site.child("schema"), value, False)]
        sent = set()
        for name, value in line["query"]:
            sent.add(name)
            site = op.parameters.get(("query", name))
            if site is None:
                found.append((f"?{name}", str(op.site.child("parameters")), f"query parameter {name!r} is not declared"))
            else:
                typed = self.typed(site.child("schema"), value)
                found += [(f"?{name}", s, m) for _, s, m in self.check(site.child("schema"), typed, False)]
        for (where, name), site in op.parameters.items():
            if where == "query" and site.node().get("required") and name not in sent:
                found.append((f"?{name}", str(site), f"required query parameter {name!r} is missing"))
        return found

    def typed(self, site, text):
        """A query parameter's text as the JSON value its schema expects (integer, number, boolean)."""
        types = {n.get("type") for _, n in self.expand(site, text)} | {None}
        if "integer" in types and re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        if "number" in types and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", text):
            return float(text)
        if "boolean" in types and text in ("true", "false"):
            return text == "true"
        return text

    def check_request_body(self, op, body):
        request_body = op.site.node().get("requestBody")
        if request_body is None:
            return [("", str(op.site), "the operation takes no request body")] if body else []
        site = self.follow(op.site.child("requestBody"))
        if not body:
            return [("", str(site), "the request body is required")] if site.node().get("required") else []
        if "application/json" not in site.node().get("content", {}):
            return [("", str(site.child("content")), "the operation takes no JSON body")]
        return self.check_json(site.child("content", "application/json", "schema"), body, closed=True)

    def check_response(self, op, status, body, content_type="application/json", ranged=False):
        responses = op.site.child("responses")
        # RFC 9110 section 15.3.7: a 206 answers a Range request with part of the 200 answer, which
        # definitions do not list separately.
        listed = "200" if status == 206 and ranged else str(status)
        key = next((k for k in (listed, f"{status // 100}XX", "default") if k in responses.node()), None)
        if key is None:
            if status < 400:
                return [("", str(responses), f"the operation has no {status} answer")]
            return self.check_json(self.errors, body, closed=False) if body else []
        site = self.follow(responses.child(key))
        content = site.node().get("content", {})
        media = content_type.split(";")[0].strip().lower()
        if media != "application/json":
            # A body of another type (audio) is checked for its type alone.
            return [] if media in content else [("", str(site.child("content")), f"the {status} answer has no {media} body")]
        if "application/json" not in content:
            return [("", str(site), f"the {status} answer has no body")] if body else []
        schema = site.child("content", "application/json", "schema")
        if not body:
            return [] if schema.node() == {} else [("", str(schema), f"the {status} answer has a body")]
        return self.check_json(schema, body, closed=False)

    def check_json(self, site, body, closed):
        try:
            instance = json.loads(body)
        except ValueError as e:
            return [("", str(site), f"not JSON: {e}")]
        return self.check(site, instance, closed)


class Report:
    """Findings grouped by what is wrong, each with the tests it happened in."""

    def __init__(self, known):
        self.known = known  # entries of known_violations.json
        self.known_hits = [0] * len(known)
        self.failures = defaultdict(list)  # (provider, direction, operation, instance, schema, message) -> tests
        self.known_found = defaultdict(list)
        self.counts = defaultdict(lambda: defaultdict(int))  # (provider, operation name, id) -> direction -> n

    def add(self, provider, test, finding):
        direction, op, instance, schema, message = finding
        name = op if isinstance(op, str) else op.name
        key = (provider, direction, name, instance, schema, message)
        for index, entry in enumerate(self.known):
            if (entry["provider"], entry["direction"], entry["operation"], entry["instance"], entry["schema"]) == (
                    provider, direction, name, instance, schema):
                self.known_hits[index] += 1
                if test not in self.known_found[key]:
                    self.known_found[key].append(test)
                return
        if test not in self.failures[key]:
            self.failures[key].append(test)

    def stale_known(self):
        for entry, hits in zip(self.known, self.known_hits):
            if hits == 0:
                yield entry


def webhook_endpoint(endpoints, method, path):
    """The endpoint of providers.json (METHOD and path template) a payload was sent to, or None."""
    segments = path.strip("/").split("/")
    for endpoint in endpoints:
        wanted, template = endpoint.split(" ", 1)
        parts = template.strip("/").split("/")
        if wanted == method and len(parts) == len(segments) and all(
                part == segment or (part.startswith("{") and part.endswith("}") and segment)
                for part, segment in zip(parts, segments)):
            return endpoint
    return None


def load_definitions(directory):
    with open(os.path.join(HERE, "providers.json")) as f:
        shapes = json.load(f)
    return {provider: Definition(provider, config, directory, shapes)
            for provider, config in shapes.items() if not provider.startswith("$")}


def validate(log_path, definitions, known):
    with open(log_path) as f:
        lines = [json.loads(text) for text in f if text.strip()]
    report = Report(known)
    if not lines or lines[0]["kind"] != "begin" or lines[-1]["kind"] != "end":
        raise SystemExit(f"FAIL {log_path}: the API suite did not finish (no begin or end line): nothing to check")
    if not any(line["kind"] in ("call", "payload") for line in lines):
        raise SystemExit(f"FAIL {log_path}: the API suite logged no provider exchange: nothing to check")
    exemptions = {line["id"]: dict(line, payloads=0, invalid=0, example=[])
                  for line in lines if line["kind"] == "exemption"}
    endpoints = {endpoint: d for d in definitions.values() for endpoint in d.webhooks}
    for line in lines:
        test = line.get("test") or "(outside any test)"
        if line["kind"] == "call":
            definition = definitions[line["provider"]]
            op, _ = definition.operation(line["method"], line["path"], line["route"])
            if op is not None:
                counts = report.counts[(definition.provider, op.name, op.id)]
                counts["requests"] += 1
                counts[f"{line['status'] // 100}xx answers"] += 1
            for finding in definition.check_call(line):
                report.add(definition.provider, test, finding)
        elif line["kind"] == "payload":
            endpoint = webhook_endpoint(endpoints, line["method"], line["path"])
            if endpoint is None:
                report.add("-", test, ("payload", f"{line['method']} {line['path']}", "", "tests/contract/providers.json",
                                       "no provider payload schema for this endpoint in providers.json"))
                continue
            definition = endpoints[endpoint]
            report.counts[(definition.provider, endpoint, "webhook")]["payloads"] += 1
            findings = [("payload", endpoint) + v
                        for v in definition.check_json(definition.webhooks[endpoint], line["body"], closed=False)]
            exemption = exemptions.get(line["exemption"])
            if exemption is not None:
                exemption["payloads"] += 1
                exemption["invalid"] += bool(findings)
                exemption["example"] += [(instance, message) for _, _, instance, _, message in findings]
                continue
            for finding in findings:
                report.add(definition.provider, test, finding)
    for exemption in exemptions.values():
        if exemption["invalid"] == 0:
            report.add("-", exemption["test"], ("payload", "ContractExempt", "", "-",
                                                 f"exemption {exemption['reason']!r} covers no payload the provider's "
                                                 f"schema rejects ({exemption['payloads']} payloads): remove it"))
    return lines, report, exemptions


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--definitions", required=True, help="directory of the providers' definitions")
    parser.add_argument("--skip-unless-set", metavar="VAR", help="skip when the environment variable VAR is unset")
    parser.add_argument("log", help="contract log of an API suite run (CXCO_CONTRACT_LOG)")
    args = parser.parse_args()
    if args.skip_unless_set and not os.environ.get(args.skip_unless_set):
        print(f"skipped: the API suite that writes {args.log} needs {args.skip_unless_set}")
        return 0

    if not os.path.exists(args.log):
        print(f"FAIL no contract log {args.log}: the API suite run that writes it was not part of this ctest run")
        return 1
    # Taken out of the way first, so that no later check can see this run's log again.
    checked = args.log + ".checked"
    os.replace(args.log, checked)

    started = time.monotonic()
    definitions = load_definitions(args.definitions)
    with open(os.path.join(HERE, "known_violations.json")) as f:
        known = json.load(f)["violations"]
    lines, report, exemptions = validate(checked, definitions, known)

    print(f"contract: {len(lines) - 2} log lines of {checked} against "
          f"{', '.join(d.file for d in definitions.values())} in {time.monotonic() - started:.1f} s")
    for (provider, name, op_id), counts in sorted(report.counts.items()):
        print(f"  {provider:<10} {name:<55} {op_id:<40} " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    for exemption in exemptions.values():
        print(f"  exempt: {exemption['test']}: {exemption['reason']!r}: {exemption['payloads']} payloads, "
              f"{exemption['invalid']} not the provider's shape" +
              "".join(f", e.g. {instance or '/'}: {message}" for instance, message in exemption["example"][:1]))
    for (provider, direction, name, instance, schema, message), tests in report.known_found.items():
        print(f"  known violation ({len(tests)} tests): {provider} {direction} of {name}\n"
              f"    instance {instance or '/'}\n    schema   {schema}\n    {message}")
    stale = list(report.stale_known())
    for entry in stale:
        print(f"FAIL stale entry in known_violations.json (the violation no longer occurs: remove it): "
              f"{entry['provider']} {entry['direction']} of {entry['operation']} {entry['instance']} {entry['schema']}")
    for (provider, direction, name, instance, schema, message), tests in report.failures.items():
        print(f"FAIL {provider} {direction} of {name}\n"
              f"    instance {instance or '/'}\n    schema   {schema}\n    {message}\n"
              f"    tests    {', '.join(tests)}")
    failed = len(report.failures) + len(stale)
    print(f"contract: {failed} violations" if failed else "contract: every exchange matches the definitions")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
