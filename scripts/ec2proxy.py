#!/usr/bin/env python3
"""The recording, fault-injecting reverse proxy for the EC2 API (in front of moto): the one proxy
of the tests (tests/common/proxy.rs and faultproxy.rs start it), the crash soak and the benchmark.

    python3 scripts/ec2proxy.py --target http://127.0.0.1:5555 [--port 0] [--fault-rate 0.3]
        [--latency-ms 0-50] [--seed 42] [--fail-action DescribeVpcEndpoints[:Code[:HTTP status]]]...
        [--realistic JSON] [--log FILE]

Prints the port it listens on (127.0.0.1) as the first line of stdout, then serves until killed.
Python 3 standard library only.

Faults are injected into EC2 API calls only (POST bodies with `Action=...`), never into moto's
/moto-api nor into this proxy's own /__ endpoints. With probability --fault-rate an EC2 call gets
one of these faults (equal shares):

  throttle      HTTP 400 or 503 with EC2's RequestLimitExceeded error document (not forwarded)
  internal      HTTP 500 InternalError (not forwarded)
  reset_before  the connection is reset (RST) before the request is forwarded: nothing happened
  reset_after   the request IS forwarded and executed by moto, then the connection is reset
                instead of answering: the client sees a failure for a call that took effect

Latency (--latency-ms A-B, uniform) is added to every EC2 call. --seed fixes the random draws;
their order, hence which call gets which fault, still depends on how concurrent calls interleave.
--log FILE appends one line per EC2 call: start time, duration, client port, action, outcome.

--fail-action ACTION[:CODE[:STATUS]] makes every call of ACTION fail with a non-retryable error
(default UnauthorizedOperation, HTTP 403), e.g. to fail the step after a successful create.

EC2 idempotency emulation (what moto lacks). Real EC2 treats CreateVpcEndpoint's ClientToken as
an idempotency key: a repeated request with the same token returns the endpoint the first request
created instead of creating another (and IdempotentParameterMismatch if the parameters differ).
moto ignores ClientToken, so a `reset_after` fault followed by the SDK's retry would create a
second endpoint in moto although real EC2 would not. The proxy therefore remembers, per
ClientToken, the request body and moto's successful response, and answers a repeated token
itself with that same response (HTTP 400 IdempotentParameterMismatch for a different body)
instead of forwarding it. This is counted as `idempotent_replays` in the stats.

Recording and scripted answers (what tests/common/proxy.rs offers): every EC2 call's decoded
parameters are recorded in order; chosen actions can be failed with an EC2 error, answered with a
canned body, held unanswered, or executed with their answer held back; DescribeVpcEndpoints can
show chosen endpoints `pending`. These apply before the random faults (a call they answer draws
none).

Control endpoints (never faulted):
  GET  /__calls[?action=A]  {"calls": [[[key, value], ...], ...]}: the recorded EC2 calls (of A), in order
  POST /__calls/clear   forget the recorded calls
  POST /__fail          {"action": A, "code": "UnauthorizedOperation", "status": 403}: every later call of A
                        gets that EC2 error (not forwarded); a failure already set for A stays
  POST /__respond       {"action": A, "body": "<xml>"}: every later call of A gets HTTP 200 with that body
  POST /__hang          {"action": A}: every later call of A is held unanswered (not forwarded) until heal
  POST /__hold_answer   {"action": A}: every later call of A is forwarded (it takes effect) and its
                        answer held until heal; /__stats "held" counts the calls being held
  POST /__pending       {"ids": ["vpce-...", ...] or ["*"]}: DescribeVpcEndpoints (and CreateVpcEndpoint,
                        for new endpoints) shows them `pending` instead of `available`
  POST /__refuse        {"action": A, "ids": ["vpce-..."], "code": C, "message": M}: EC2 refuses these resources in
                        later calls of A. DeleteVpcEndpoints, which answers per endpoint, gets an `Unsuccessful`
                        item (code C) for each refused id and the other ids are forwarded (deleted); any other
                        action naming a refused id fails as a whole with C (HTTP 400, not forwarded), as
                        CreateTags does for a bad resource id. Several calls add up (per action).
  POST /__heal          ends every fail (including --fail-action), respond, hang, hold_answer, pending, refuse
  GET  /__stats         JSON counters: requests per EC2 Action, faults by kind and by action, ...
  POST /__stats/reset   zero the counters
  POST /__config        JSON {"fault_rate": 0.3, "latency_ms": [0, 50], "fail_actions": {"Action": ["Code", 403]},
                        "script": {"Action": ["reset_after", ...]}} (any subset) changes the behaviour at
                        run time; `script` gives the fault kinds of the next calls of an action, in
                        order (deterministic faults), before the random draw applies again
  POST /__realistic     JSON settings of the realistic-EC2 mode (below; any subset, merged into the current
                        ones; {"reset": true, ...} first restores the defaults and forgets every endpoint)
  GET  /__realistic     its settings, counters and the state of every endpoint it keeps a clock for
  POST /__realistic/accept  {"ids": [...]}: out-of-band acceptance (as the service owner would accept)
  POST /__realistic/reject  {"ids": [...]}: out-of-band rejection: the endpoints become `rejected`
  POST /__realistic/fail    {"ids": [...], "code": C, "message": M}: the endpoints become `failed` with that LastError
  POST /__realistic/busy    {"ids": [...], "seconds": S}: a modification in progress (as after ModifyVpcEndpoint)

Realistic-EC2 mode (off by default: moto makes every endpoint `available` at once, never throttles and
is strongly consistent). moto stays the source of truth for everything but what follows; the proxy
keeps its own clock per endpoint (from CreateVpcEndpoint's answer) and rewrites the `state` (and
`lastError`, `tagSet`) of DescribeVpcEndpoints and CreateVpcEndpoint answers. Every behaviour has its
own setting (POST /__realistic or --realistic JSON at start), 0 / empty / false switches it off:

  pending_s            a new endpoint is `pending` for this long, then `available` (every type, unless
                       pending_s_by_type or ec2_times says otherwise for its type)
  pending_s_by_type    {type: seconds}, type Gateway / Interface / GatewayLoadBalancer (any case): the
                       pending time of new endpoints of that type (from CreateVpcEndpoint's
                       VpcEndpointType, Gateway when absent, as EC2 defaults it); other types take pending_s
  delete_s_by_type     {type: seconds}: the same for `deleting` (other types take delete_s)
  ec2_times            (default false) the types missing from the two maps above take EC2's own times
                       (EC2_TIMES below): a gateway endpoint is pending / deleting for 3 s, an interface or
                       Gateway Load Balancer endpoint for 60 s. EC2 documents no figure; these are the
                       usual observations (a gateway endpoint is a route-table entry, available within
                       seconds; an interface endpoint provisions an ENI per subnet and its DNS names, about
                       a minute, often more; its deletion takes as long). 60 s is the low end on purpose: the
                       floor it gives is the least a user waits. Off, pending_s / delete_s apply to every
                       type as before.
  modify_s             after a ModifyVpcEndpoint the endpoint is `pending` for this long (a modification in
                       progress); meanwhile ModifyVpcEndpoint gets `modify_conflict_code` (IncorrectState,
                       or OperationInProgress, EC2's "VpcEndpoint modify operation in progress") and
                       DeleteVpcEndpoints reports it Unsuccessful with IncorrectState
  delete_s             DeleteVpcEndpoints (moto deletes at once) shows the endpoint `deleting` for this long
                       (meanwhile an interface endpoint with private DNS keeps its hosted zone: private DNS
                       for the same service in the VPC is refused, CreateVpcEndpoint and ModifyVpcEndpoint,
                       with EC2's InvalidParameter "private-dns-enabled cannot be set because ..."),
  deleted_linger_s     then `deleted` for this long, then it is gone (NotFound by id, absent from lists)
  acceptance_services  service names whose new endpoints are `pendingAcceptance` until accepted
                       (AcceptVpcEndpointConnections, answered by the proxy, or /__realistic/accept): then
                       `pending` for pending_s, then `available` (EC2 goes pendingAcceptance -> pending ->
                       available); RejectVpcEndpointConnections or /__realistic/reject: `rejected`
  reject_services      service names whose new endpoints become `rejected` after pending_s
  fail_services        {service name: [code, message]}: new endpoints become `failed` after pending_s, with
                       that LastError
  invisible_ms         eventual consistency: a new endpoint is invisible to DescribeVpcEndpoints for this long
                       (InvalidVpcEndpointId.NotFound when asked by id, absent from filtered lists), and
                       ModifyVpcEndpoint / DeleteVpcEndpoints answer NotFound for it too
  tags_invisible_ms    a CreateTags / DeleteTags on an endpoint shows in DescribeVpcEndpoints only after this long
  incorrect_state      (default true) ModifyVpcEndpoint of an endpoint in state `pending` gets IncorrectState,
                       DeleteVpcEndpoints reports it Unsuccessful with IncorrectState
  throttle             per-API token buckets with EC2's documented sizes and refill rates (the table at
                       THROTTLE_NON_MUTATING below): a call that finds its bucket empty gets HTTP 503
                       RequestLimitExceeded (EC2's XML error document) and is not forwarded
  throttle_scale       multiplies every refill rate (bucket sizes unchanged), to compress time in tests: EC2
                       refills CreateVpcEndpoint's bucket of 4 at 0.3 per second, so 60 creates take 3 min
  throttle_buckets     {Action: [capacity, refill per second]} overrides

/__stats "realistic" counts throttled calls per action, conflicts (IncorrectState / OperationInProgress
answers) per action and NotFound answers for endpoints not visible yet.
"""

import argparse
import http.client
import http.server
import json
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

FAULT_KINDS = ("throttle", "internal", "reset_before", "reset_after")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}


def ec2_error(code, message):
    """An EC2 (ec2Query protocol) error document, as aws-sdk-ec2's parser expects it:
    <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>."""
    rid = str(uuid.uuid4())
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{rid}</RequestID></Response>")
    return body.encode(), rid


# -- the realistic-EC2 mode ---------------------------------------------------------------------

EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15"

# EC2's request token buckets: (bucket maximum capacity, refill rate in tokens per second), per API
# (each API has its own bucket), from the tables "Request token bucket sizes and refill rates" of
# "Request throttling for the Amazon EC2 API" (Amazon EC2 Developer Guide,
# https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). The provider paces
# itself with the same table (src/aws/pace.rs); its unit test the_proxy_throttles_with_the_same_table
# fails when the two disagree:
#   Non-mutating actions (Describe*, List*, Search*, Get* not in another category)  100 / 20
#   Unfiltered and unpaginated non-mutating actions (the 7 below, called without a
#     filter and without pagination)                                                   50 / 10
#   Mutating actions (all others not resource-intensive nor uncategorized)            50 / 5
#   Resource-intensive actions (the 9 below)                                           50 / 5
#   Uncategorized actions with their own buckets, among them CreateVpcEndpoint,
#     ModifyVpcEndpoint and DeleteVpcEndpoints 4 / 0.3, AcceptVpcEndpointConnections
#     and RejectVpcEndpointConnections 10 / 1, CreateTags and DeleteTags 100 / 10,
#     CreateNetworkInterface and DeleteNetworkInterface 100 / 5.
THROTTLE_NON_MUTATING = (100, 20)
THROTTLE_UNFILTERED = (50, 10)
THROTTLE_MUTATING = (50, 5)
THROTTLE_RESOURCE_INTENSIVE = (50, 5)
UNFILTERED_ACTIONS = {"DescribeInstances", "DescribeInstanceStatus", "DescribeNetworkInterfaces", "DescribeSecurityGroups",
                      "DescribeSnapshots", "DescribeSpotInstanceRequests", "DescribeVolumes"}
RESOURCE_INTENSIVE_ACTIONS = {"AcceptVpcPeeringConnection", "AuthorizeSecurityGroupIngress", "CancelSpotInstanceRequests",
                              "CreateKeyPair", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
                              "RejectVpcPeeringConnection", "RevokeSecurityGroupIngress", "RequestSpotInstances"}
UNCATEGORIZED_BUCKETS = {
    "AcceptVpcEndpointConnections": (10, 1),
    "RejectVpcEndpointConnections": (10, 1),
    "CreateVpcEndpoint": (4, 0.3),
    "ModifyVpcEndpoint": (4, 0.3),
    "DeleteVpcEndpoints": (4, 0.3),
    "CreateVpcEndpointServiceConfiguration": (10, 1),
    "ModifyVpcEndpointServiceConfiguration": (10, 1),
    "DeleteVpcEndpointServiceConfigurations": (10, 1),
    "CreateTags": (100, 10),
    "DeleteTags": (100, 10),
    "CreateNetworkInterface": (100, 5),
    "DeleteNetworkInterface": (100, 5),
    "ModifyNetworkInterfaceAttribute": (100, 5),
    "DescribeSecurityGroupReferences": (20, 5),
    "DescribeStaleSecurityGroups": (20, 5),
}


def is_non_mutating(action):
    return action.startswith(("Describe", "List", "Search", "Get"))


def throttle_bucket(action, params):
    """The bucket an EC2 call takes its token from: (bucket name, (capacity, refill per second))."""
    if action in UNCATEGORIZED_BUCKETS:
        return action, UNCATEGORIZED_BUCKETS[action]
    if action in RESOURCE_INTENSIVE_ACTIONS:
        return action, THROTTLE_RESOURCE_INTENSIVE
    if is_non_mutating(action):
        unfiltered = not any(k.startswith("Filter.") or k in ("MaxResults", "NextToken") for k in params)
        if action in UNFILTERED_ACTIONS and unfiltered:
            return action + " (unfiltered)", THROTTLE_UNFILTERED
        return action, THROTTLE_NON_MUTATING
    return action, THROTTLE_MUTATING


REALISTIC_DEFAULTS = {
    "pending_s": 0.0,
    "modify_s": 0.0,
    "modify_conflict_code": "IncorrectState",
    "delete_s": 0.0,
    "pending_s_by_type": {},
    "delete_s_by_type": {},
    "ec2_times": False,
    "deleted_linger_s": 0.0,
    "acceptance_services": [],
    "reject_services": [],
    "fail_services": {},
    "invisible_ms": 0,
    "tags_invisible_ms": 0,
    "incorrect_state": True,
    "throttle": False,
    "throttle_scale": 1.0,
    "throttle_buckets": {},
}


# EC2's pending and deleting times per endpoint type (lower-case), with the realistic mode's
# `ec2_times`: the usual observations, EC2 documents none (see the docstring).
EC2_TIMES = {
    "pending": {"gateway": 3.0, "interface": 60.0, "gatewayloadbalancer": 60.0},
    "delete": {"gateway": 3.0, "interface": 60.0, "gatewayloadbalancer": 60.0},
}


def endpoint_type(text):
    """The lower-case endpoint type of a VpcEndpointType value: EC2's default (gateway) when empty."""
    return (text or "gateway").strip().lower() or "gateway"


class Ep:
    """The proxy's clock of one endpoint."""

    def __init__(self, created, service, etype=""):
        self.created = created
        self.service = service
        self.etype = etype             # "gateway" / "interface" / ...; "" unknown (seen first deleted)
        self.visible_at = created
        self.pending_until = created
        self.awaiting = False          # pendingAcceptance until accepted or rejected
        self.outcome = None            # after pending: None (moto's state), "failed" or "rejected"
        self.error = None              # (code, message): LastError of a failed endpoint
        self.final = None              # "failed" / "rejected", set at once
        self.busy_until = 0.0          # a modify in progress: pending, Modify/Delete refused
        self.deleted_at = None
        self.tag_masks = []            # [(until, {key: value before the change, None: absent})]


class Realistic:
    """Realistic-EC2 behaviour layered on moto's answers (see the module docstring). Every method
    runs under the State lock."""

    def __init__(self):
        self.cfg = dict(REALISTIC_DEFAULTS)
        self.eps = {}
        self.buckets = {}              # bucket name -> [tokens, last refill time]
        self.reset_stats()

    def reset_stats(self):
        self.throttled = {}
        self.conflicts = {}
        self.hidden = 0
        self.transitions = 0

    @property
    def enabled(self):
        c = self.cfg
        return bool(c["pending_s"] or c["modify_s"] or c["delete_s"] or c["pending_s_by_type"] or c["delete_s_by_type"]
                    or c["ec2_times"] or c["deleted_linger_s"] or c["acceptance_services"]
                    or c["reject_services"] or c["fail_services"] or c["invisible_ms"] or c["tags_invisible_ms"]
                    or c["throttle"] or self.eps)

    def configure(self, cfg):
        if cfg.get("reset"):
            self.cfg = dict(REALISTIC_DEFAULTS)
            self.eps.clear()
            self.buckets.clear()
            self.reset_stats()
        for k, v in cfg.items():
            if k == "reset":
                continue
            if k not in REALISTIC_DEFAULTS:
                raise KeyError(f"unknown realistic setting {k!r} (known: {', '.join(REALISTIC_DEFAULTS)})")
            default = REALISTIC_DEFAULTS[k]
            if isinstance(default, bool):
                v = bool(v)
            elif isinstance(default, (int, float)) and not isinstance(default, bool):
                v = float(v)
                if v < 0:
                    raise ValueError(f"{k} must be >= 0")
            elif isinstance(default, list):
                v = [str(x) for x in v]
            elif k == "fail_services":
                v = {str(s): (str(e[0]), str(e[1])) for s, e in v.items()}
            elif k == "throttle_buckets":
                v = {str(a): (float(b[0]), float(b[1])) for a, b in v.items()}
            elif k in ("pending_s_by_type", "delete_s_by_type"):
                v = {endpoint_type(t): float(x) for t, x in v.items()}
                if any(x < 0 for x in v.values()):
                    raise ValueError(f"{k}: seconds must be >= 0")
            self.cfg[k] = v
        if "throttle" in cfg or "throttle_scale" in cfg or "throttle_buckets" in cfg:
            self.buckets.clear()
        return self.describe_cfg()

    def describe_cfg(self):
        c = dict(self.cfg)
        c["fail_services"] = {s: list(e) for s, e in c["fail_services"].items()}
        c["throttle_buckets"] = {a: list(b) for a, b in c["throttle_buckets"].items()}
        return c

    def stats(self, now):
        states = {}
        for ep_id in self.eps:
            s = self.state(ep_id, now) or "available"
            states[s] = states.get(s, 0) + 1
        return {"config": self.describe_cfg(), "endpoints": len(self.eps), "states": states,
                "throttled": dict(sorted(self.throttled.items())), "throttled_total": sum(self.throttled.values()),
                "conflicts": dict(sorted(self.conflicts.items())), "hidden_not_found": self.hidden}

    # -- throttling ------------------------------------------------------------------------

    def take_token(self, action, params, now):
        """True when the call may go on; False: throttled (RequestLimitExceeded)."""
        if not self.cfg["throttle"]:
            return True
        name, (cap, rate) = throttle_bucket(action, params)
        if action in self.cfg["throttle_buckets"]:
            cap, rate = self.cfg["throttle_buckets"][action]
            name = action
        rate *= self.cfg["throttle_scale"]
        bucket = self.buckets.get(name)
        if bucket is None:
            bucket = self.buckets[name] = [float(cap), now]
        tokens, last = bucket
        tokens = min(float(cap), tokens + (now - last) * rate)
        if tokens >= 1.0:
            bucket[0], bucket[1] = tokens - 1.0, now
            return True
        bucket[0], bucket[1] = tokens, now
        self.throttled[action] = self.throttled.get(action, 0) + 1
        return False

    # -- the endpoints' clocks -------------------------------------------------------------

    def times_by_type(self):
        """True when the pending or deleting time depends on the endpoint type."""
        c = self.cfg
        return bool(c["pending_s_by_type"] or c["delete_s_by_type"] or c["ec2_times"])

    def pending_for(self, etype):
        """The pending time of a new endpoint of type `etype` (lower-case; "" unknown)."""
        c = self.cfg
        if etype in c["pending_s_by_type"]:
            return c["pending_s_by_type"][etype]
        if c["ec2_times"] and etype in EC2_TIMES["pending"]:
            return EC2_TIMES["pending"][etype]
        return c["pending_s"]

    def delete_for(self, etype):
        """The deleting time of an endpoint of type `etype` (lower-case; "" unknown)."""
        c = self.cfg
        if etype in c["delete_s_by_type"]:
            return c["delete_s_by_type"][etype]
        if c["ec2_times"] and etype in EC2_TIMES["delete"]:
            return EC2_TIMES["delete"][etype]
        return c["delete_s"]

    def track(self, ep_id, service, now, etype=""):
        """Starts the clock of a new endpoint (from CreateVpcEndpoint's answer)."""
        if ep_id in self.eps:
            return self.eps[ep_id]
        c = self.cfg
        ep = Ep(now, service, etype)
        ep.visible_at = now + c["invisible_ms"] / 1000.0
        ep.pending_until = now + self.pending_for(etype)
        ep.awaiting = service in c["acceptance_services"]
        if service in c["fail_services"]:
            ep.outcome, ep.error = "failed", c["fail_services"][service]
        elif service in c["reject_services"]:
            ep.outcome = "rejected"
        self.eps[ep_id] = ep
        return ep

    def state(self, ep_id, now):
        """The state EC2 would show now: None to keep moto's, "gone" when it is no longer listed."""
        ep = self.eps.get(ep_id)
        if ep is None:
            return None
        c = self.cfg
        if ep.deleted_at is not None:
            dt = now - ep.deleted_at
            deleting = self.delete_for(ep.etype)
            if dt < deleting:
                return "deleting"
            if dt < deleting + c["deleted_linger_s"]:
                return "deleted"
            return "gone"
        if ep.final:
            return ep.final
        if ep.awaiting:
            return "pendingAcceptance"
        if now < ep.pending_until:
            return "pending"
        if ep.outcome:
            ep.final = ep.outcome
            self.transitions += 1
            return ep.final
        if now < ep.busy_until:
            return "pending"
        return None

    def invisible(self, ep_id, now):
        ep = self.eps.get(ep_id)
        return ep is not None and (now < ep.visible_at or self.state(ep_id, now) == "gone")

    def accept(self, ep_id, now):
        ep = self.eps.get(ep_id)
        if ep is None or not ep.awaiting:
            return False
        # EC2 goes pendingAcceptance -> pending -> available once accepted.
        ep.awaiting = False
        ep.pending_until = now + self.pending_for(ep.etype)
        return True

    def reject(self, ep_id, now):
        ep = self.eps.get(ep_id)
        if ep is None or ep.deleted_at is not None or ep.final:
            return False
        ep.awaiting = False
        ep.final = "rejected"
        return True

    def fail(self, ep_id, code, message):
        ep = self.eps.get(ep_id)
        if ep is None:
            return False
        ep.final, ep.error = "failed", (code, message)
        return True

    def busy(self, ep_id, seconds, now):
        ep = self.eps.get(ep_id)
        if ep is None:
            return False
        ep.busy_until = max(ep.busy_until, now + seconds)
        return True

    def conflict(self, action):
        self.conflicts[action] = self.conflicts.get(action, 0) + 1


def xml_root(data):
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None, ""
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    return root, ns


def xml_bytes(root, ns):
    if ns:
        ET.register_namespace("", ns)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def q(ns, tag):
    return f"{{{ns}}}{tag}" if ns else tag


def child_text(el, ns, tag):
    c = el.find(q(ns, tag))
    return c.text if c is not None else None


def set_child(el, ns, tag, text):
    c = el.find(q(ns, tag))
    if c is None:
        c = ET.SubElement(el, q(ns, tag))
    c.text = text
    return c


def rewrite_endpoint(item, ns, real, now, hide=True):
    """Applies the proxy's clock to one endpoint element (state, LastError, tags); False: drop it."""
    ep_id = child_text(item, ns, "vpcEndpointId")
    if ep_id is None or ep_id not in real.eps:
        return True
    if hide and real.invisible(ep_id, now):
        return False
    ep = real.eps[ep_id]
    state = real.state(ep_id, now)
    if state and state != "gone":
        set_child(item, ns, "state", state)
    if state == "failed" and ep.error:
        err = item.find(q(ns, "lastError"))
        if err is None:
            err = ET.SubElement(item, q(ns, "lastError"))
        set_child(err, ns, "code", ep.error[0])
        set_child(err, ns, "message", ep.error[1])
    ep.tag_masks = [(until, mask) for until, mask in ep.tag_masks if until > now]
    if ep.tag_masks:
        tagset = item.find(q(ns, "tagSet"))
        if tagset is None:
            tagset = ET.SubElement(item, q(ns, "tagSet"))
        tags = {}
        for t in list(tagset):
            tags[child_text(t, ns, "key")] = child_text(t, ns, "value")
        # The oldest mask holds the value from before the first change still invisible.
        for _, mask in reversed(ep.tag_masks):
            for k, old in mask.items():
                if old is None:
                    tags.pop(k, None)
                else:
                    tags[k] = old
        for t in list(tagset):
            tagset.remove(t)
        for k, v in tags.items():
            t = ET.SubElement(tagset, q(ns, "item"))
            set_child(t, ns, "key", k)
            set_child(t, ns, "value", v or "")
    return True


def list_param(params, prefix):
    """Values of `Prefix.1`, `Prefix.2`, ... in order."""
    found = []
    for k, v in params.items():
        if k.startswith(prefix + "."):
            try:
                found.append((int(k[len(prefix) + 1:]), v[0]))
            except ValueError:
                pass
    return [v for _, v in sorted(found)]


def unsuccessful_items(ns, failures):
    """`<item><error><code/><message/></error><resourceId/></item>` elements of an `unsuccessful` set."""
    items = []
    for rid, code, message in failures:
        item = ET.Element(q(ns, "item"))
        err = ET.SubElement(item, q(ns, "error"))
        set_child(err, ns, "code", code)
        set_child(err, ns, "message", message)
        set_child(item, ns, "resourceId", rid)
        items.append(item)
    return items


def unsuccessful_answer(action, failures):
    root = ET.Element(q(EC2_NS, f"{action}Response"))
    set_child(root, EC2_NS, "requestId", str(uuid.uuid4()))
    uns = ET.SubElement(root, q(EC2_NS, "unsuccessful"))
    for item in unsuccessful_items(EC2_NS, failures):
        uns.append(item)
    return xml_bytes(root, EC2_NS)


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.fault_rate = args.fault_rate
        self.latency = args.latency_ms
        self.fail_actions = dict(args.fail_action)
        # Action -> fault kinds for its next calls, in order (deterministic faults for tests).
        self.script = {}
        # ClientToken -> (request body, status, headers, response body)
        self.tokens = {}
        self.token_locks = {}
        # Recording and scripted answers (see the module docstring); `changed` wakes held calls.
        self.changed = threading.Condition(self.lock)
        self.calls = []
        self.respond = {}
        self.hang = set()
        self.hold_answer = set()
        self.held = 0
        self.pending = []
        # Action -> {resource id: (code, message)} (see /__refuse).
        self.refuse = {}
        self.real = Realistic()
        if args.realistic:
            self.real.configure(json.loads(args.realistic))
        self.reset_stats()

    def reset_stats(self):
        with self.lock:
            self.started = time.time()
            self.requests = 0
            self.ec2_requests = 0
            self.by_action = {}
            self.faults = {k: 0 for k in FAULT_KINDS}
            self.faults_by_action = {}
            self.throttle_status = {"400": 0, "503": 0}
            self.forwarded = 0
            self.idempotent_replays = 0
            self.idempotent_mismatches = 0
            self.failed_actions = {}
            self.upstream_errors = 0
            if hasattr(self, "real"):
                self.real.reset_stats()

    def stats(self):
        with self.lock:
            return {
                "seconds": round(time.time() - self.started, 3),
                "requests": self.requests,
                "ec2_requests": self.ec2_requests,
                "by_action": dict(sorted(self.by_action.items())),
                "faults": dict(self.faults),
                "faults_total": sum(self.faults.values()),
                "faults_by_action": {a: dict(k) for a, k in sorted(self.faults_by_action.items())},
                "throttle_status": dict(self.throttle_status),
                "forwarded": self.forwarded,
                "idempotent_replays": self.idempotent_replays,
                "idempotent_mismatches": self.idempotent_mismatches,
                "failed_actions": dict(self.failed_actions),
                "upstream_errors": self.upstream_errors,
                "held": self.held,
                "realistic": self.real.stats(time.time()),
                "config": {"fault_rate": self.fault_rate, "latency_ms": list(self.latency),
                           "fail_actions": {a: list(v) for a, v in self.fail_actions.items()},
                           "script": {a: list(k) for a, k in self.script.items() if k}},
            }

    def configure(self, cfg):
        with self.lock:
            if "fault_rate" in cfg:
                self.fault_rate = float(cfg["fault_rate"])
            if "latency_ms" in cfg:
                lo, hi = cfg["latency_ms"]
                self.latency = (int(lo), int(hi))
            if "fail_actions" in cfg:
                self.fail_actions = {a: (v[0], int(v[1])) for a, v in cfg["fail_actions"].items()}
            if "script" in cfg:
                for action, kinds in cfg["script"].items():
                    if any(k not in FAULT_KINDS for k in kinds):
                        raise ValueError(f"fault kinds are {FAULT_KINDS}, got {kinds}")
                self.script = {a: list(k) for a, k in cfg["script"].items()}

    def heal(self):
        with self.lock:
            self.fail_actions.clear()
            self.respond.clear()
            self.hang.clear()
            self.hold_answer.clear()
            self.pending = []
            self.refuse.clear()
            self.changed.notify_all()

    def control(self, path, cfg):
        """The recording control endpoints (POST); returns the JSON answer."""
        with self.lock:
            if path == "/__calls/clear":
                self.calls.clear()
            elif path == "/__fail":
                self.fail_actions.setdefault(cfg["action"], (cfg.get("code") or "UnauthorizedOperation", int(cfg.get("status") or 403)))
            elif path == "/__respond":
                self.respond.setdefault(cfg["action"], cfg["body"])
            elif path == "/__hang":
                self.hang.add(cfg["action"])
            elif path == "/__hold_answer":
                self.hold_answer.add(cfg["action"])
            elif path == "/__pending":
                self.pending = [str(i) for i in cfg["ids"]]
            elif path == "/__refuse":
                code = cfg.get("code") or "OperationNotPermitted"
                message = cfg.get("message") or "ec2proxy: refused"
                self.refuse.setdefault(cfg["action"], {}).update({str(i): (code, message) for i in cfg["ids"]})
            else:
                raise KeyError(path)
        return {"ok": True}

    def wait_while(self, holding):
        """Blocks while `holding()` (evaluated under the lock) is true."""
        with self.lock:
            while holding():
                self.changed.wait(1.0)

    def draw(self, action, canned=False):
        """Counts the EC2 call and decides its fate: (latency seconds, fault kind or None, throttle
        status, forced failure (code, status) of --fail-action or None)."""
        with self.lock:
            fail = self.fail_actions.get(action)
            if fail:
                self.failed_actions[action] = self.failed_actions.get(action, 0) + 1
            self.ec2_requests += 1
            self.by_action[action] = self.by_action.get(action, 0) + 1
            lo, hi = self.latency
            delay = self.rng.uniform(lo, hi) / 1000.0 if hi > 0 else 0.0
            kind, status = None, None
            scripted = self.script.get(action)
            if scripted:
                kind = scripted.pop(0)
            elif self.rng.random() < self.fault_rate:
                kind = self.rng.choice(FAULT_KINDS)
            if fail or canned:
                kind = None
            if kind:
                self.faults[kind] += 1
                per = self.faults_by_action.setdefault(action, {})
                per[kind] = per.get(kind, 0) + 1
                if kind == "throttle":
                    status = self.rng.choice((400, 503))
                    self.throttle_status[str(status)] += 1
            return delay, kind, status, fail

    def bump(self, field, n=1):
        with self.lock:
            setattr(self, field, getattr(self, field) + n)

    def token_lock(self, token):
        with self.lock:
            return self.token_locks.setdefault(token, threading.Lock())


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answer without waiting for a delayed ACK (Nagle would add ~40 ms to every request).
    disable_nagle_algorithm = True
    server_version = "ec2proxy"

    def log_message(self, fmt, *args):  # quiet
        pass

    # -- plumbing ---------------------------------------------------------------------------

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def reply(self, status, body, headers=(), content_type="text/xml;charset=UTF-8"):
        self.send_response(status)
        sent = set()
        for k, v in headers:
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
                sent.add(k.lower())
        if "content-type" not in sent and content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def reply_json(self, obj, status=200):
        self.reply(status, json.dumps(obj, indent=1).encode(), content_type="application/json")

    def reset_connection(self):
        """Abort the TCP connection with a RST (SO_LINGER 0) and no response."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def forward(self, method, body):
        """Sends the request to the target; returns (status, headers, body)."""
        st = self.server.state
        conn = http.client.HTTPConnection(self.server.target_host, self.server.target_port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
            headers["Host"] = f"{self.server.target_host}:{self.server.target_port}"
            headers["Content-Length"] = str(len(body))
            conn.request(method, self.path, body=body if method not in ("GET", "HEAD") or body else None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            st.bump("forwarded")
            return resp.status, resp.getheaders(), data
        except (OSError, http.client.HTTPException) as e:
            st.bump("upstream_errors")
            data, _ = ec2_error("InternalError", f"ec2proxy: upstream failed: {e}")
            return 502, [], data
        finally:
            conn.close()

    # -- methods ------------------------------------------------------------------------------

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/__stats":
            return self.reply_json(self.server.state.stats())
        if path == "/__calls":
            action = (urllib.parse.parse_qs(query).get("action") or [None])[0]
            st = self.server.state
            with st.lock:
                calls = [c for c in st.calls if action is None or dict(c).get("Action") == action]
            return self.reply_json({"calls": calls})
        if path == "/__realistic":
            st = self.server.state
            with st.lock:
                now = time.time()
                out = st.real.stats(now)
                out["endpoint_states"] = {i: st.real.state(i, now) or "available" for i in st.real.eps}
                out["endpoint_types"] = {i: ep.etype for i, ep in st.real.eps.items()}
            return self.reply_json(out)
        self.passthrough("GET", self.read_body())

    def do_HEAD(self):
        self.passthrough("HEAD", b"")

    def do_PUT(self):
        self.passthrough("PUT", self.read_body())

    def do_DELETE(self):
        self.passthrough("DELETE", self.read_body())

    def do_POST(self):
        body = self.read_body()
        path = self.path.split("?")[0]
        st = self.server.state
        if path == "/__stats/reset":
            st.reset_stats()
            return self.reply_json({"ok": True})
        if path == "/__config":
            try:
                st.configure(json.loads(body or b"{}"))
            except (ValueError, KeyError, TypeError, IndexError) as e:
                return self.reply_json({"error": str(e)}, 400)
            return self.reply_json(st.stats()["config"])
        if path == "/__heal":
            st.heal()
            return self.reply_json({"ok": True})
        if path.startswith("/__realistic"):
            try:
                return self.reply_json(self.realistic_control(path, json.loads(body or b"{}")))
            except (ValueError, KeyError, TypeError, IndexError) as e:
                return self.reply_json({"error": f"{path}: {e!r}"}, 400)
        if path in ("/__calls/clear", "/__fail", "/__respond", "/__hang", "/__hold_answer", "/__pending", "/__refuse"):
            try:
                return self.reply_json(st.control(path, json.loads(body or b"{}")))
            except (ValueError, KeyError, TypeError) as e:
                return self.reply_json({"error": f"{path}: {e!r}"}, 400)
        if path.startswith("/__") or path.startswith("/moto-api"):
            return self.passthrough("POST", body)
        pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        params = {}
        for k, v in pairs:
            params.setdefault(k, []).append(v)
        action = (params.get("Action") or [None])[0]
        if not action:
            return self.passthrough("POST", body)
        with st.lock:
            st.calls.append([list(p) for p in pairs])
        self.ec2_call(action, params, body)

    def passthrough(self, method, body):
        with self.server.state.lock:
            self.server.state.requests += 1
        status, headers, data = self.forward(method, body)
        self.reply(status, data if method != "HEAD" else b"", headers)

    def ec2_call(self, action, params, body):
        started = time.time()
        outcome = "?"
        try:
            outcome = self._ec2_call(action, params, body)
        finally:
            log = self.server.log
            if log:
                with self.server.state.lock:
                    log.write(f"{started:.3f} {time.time() - started:7.3f}s {self.client_address[1]:>5} {action} {outcome}\n")
                    log.flush()

    def _ec2_call(self, action, params, body):
        """Answers one EC2 call; returns what happened, for the log."""
        st = self.server.state
        with st.lock:
            st.requests += 1
            canned = st.respond.get(action)
            holding = action in st.hold_answer
        st.wait_while(lambda: action in st.hang)
        delay, kind, throttle_status, fail = st.draw(action, canned is not None)
        if delay:
            time.sleep(delay)

        if fail:
            code, status = fail
            data, _ = ec2_error(code, f"ec2proxy: injected failure of {action} ({code}).")
            self.reply(status, data)
            return f"fail-action {code} {status}"
        if canned is not None:
            self.reply(200, canned.encode())
            return "canned 200"

        if kind == "throttle":
            data, _ = ec2_error("RequestLimitExceeded", "Request limit exceeded.")
            self.reply(throttle_status, data)
            return f"fault throttle {throttle_status}"
        if kind == "internal":
            data, _ = ec2_error("InternalError", "An internal error has occurred")
            self.reply(500, data)
            return "fault internal 500"
        if kind == "reset_before":
            self.reset_connection()
            return "fault reset_before"

        after = None
        with st.lock:
            realistic = st.real.enabled
            allowed = not realistic or st.real.take_token(action, params, time.time())
        if not allowed:
            # EC2 answers an empty token bucket with HTTP 503 and RequestLimitExceeded.
            data, _ = ec2_error("RequestLimitExceeded", "Request limit exceeded.")
            self.reply(503, data)
            return "throttled 503 (realistic)"
        if realistic:
            answer, body, after = self.realistic_before(action, params, body)
            if answer is not None:
                status, data = answer
                self.reply(status, data)
                return f"realistic {status}"

        with st.lock:
            refused = dict(st.refuse.get(action) or {})
        named = [v for k, vs in params.items() if re.fullmatch(r"(VpcEndpointId|ResourceId)\.\d+", k) for v in vs if v in refused]
        if named and action != "DeleteVpcEndpoints":
            code, message = refused[named[0]]
            data, _ = ec2_error(code, f"{message} ({named[0]})")
            self.reply(400, data)
            return f"refused {code}"
        if named:
            # Per-endpoint refusals: the others go to moto, the refused ones become Unsuccessful items.
            items = [(i, refused[i]) for i in named]
            kept = [v for k, vs in params.items() if k.startswith("VpcEndpointId.") for v in vs if v not in refused]
            if kept:
                rest = [(k, v) for k, v in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True) if not k.startswith("VpcEndpointId.")]
                rest += [(f"VpcEndpointId.{n}", v) for n, v in enumerate(kept, 1)]
                status, headers, data = self.forward("POST", urllib.parse.urlencode(rest).encode())
            else:
                status, headers = 200, []
                data = (f'<DeleteVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
                        f"<requestId>{uuid.uuid4()}</requestId><unsuccessful/></DeleteVpcEndpointsResponse>").encode()
            if status == 200:
                data = add_unsuccessful(data, items)
            self.reply(status, data, headers)
            return f"{status} ({len(items)} refused)"

        token = (params.get("ClientToken") or [None])[0] if action == "CreateVpcEndpoint" else None
        seen = None
        if token:
            # EC2 idempotency (see the module docstring): one execution per ClientToken.
            with st.token_lock(token):
                with st.lock:
                    seen = st.tokens.get(token)
                if seen is not None:
                    first_body, status, headers, data = seen
                    if first_body != body:
                        st.bump("idempotent_mismatches")
                        status, headers = 400, []
                        data, _ = ec2_error("IdempotentParameterMismatch",
                                            "The client token you have provided is associated with a resource that is already deleted or has different parameters.")
                    else:
                        st.bump("idempotent_replays")
                else:
                    status, headers, data = self.forward("POST", body)
                    if status == 200:
                        with st.lock:
                            st.tokens[token] = (body, status, headers, data)
        else:
            status, headers, data = self.forward("POST", body)

        if holding:
            # moto executed the call; the answer waits until heal.
            with st.lock:
                st.held += 1
            st.wait_while(lambda: action in st.hold_answer)
            with st.lock:
                st.held -= 1
        if after is not None:
            data = after(status, data)
        if action in ("DescribeVpcEndpoints", "CreateVpcEndpoint") and status == 200:
            with st.lock:
                pending = list(st.pending)
            data = show_pending(data, pending)

        if kind == "reset_after":
            # moto executed the call; the client never hears about it.
            self.reset_connection()
            return f"fault reset_after (moto answered {status})"
        self.reply(status, data, headers)
        return f"{status}" + (" (replayed)" if token and seen is not None else "")


    # -- the realistic-EC2 mode -----------------------------------------------------------------

    def realistic_control(self, path, cfg):
        st = self.server.state
        real = st.real
        with st.lock:
            now = time.time()
            if path == "/__realistic":
                return real.configure(cfg)
            ids = [str(i) for i in cfg["ids"]]
            if path == "/__realistic/accept":
                changed = [i for i in ids if real.accept(i, now)]
            elif path == "/__realistic/reject":
                changed = [i for i in ids if real.reject(i, now)]
            elif path == "/__realistic/fail":
                code, message = cfg.get("code") or "InternalError", cfg.get("message") or "ec2proxy: the endpoint failed"
                changed = [i for i in ids if real.fail(i, code, message)]
            elif path == "/__realistic/busy":
                changed = [i for i in ids if real.busy(i, float(cfg["seconds"]), now)]
            else:
                raise KeyError(path)
            return {"changed": changed, "unknown": [i for i in ids if i not in changed]}

    def realistic_before(self, action, params, body):
        """The realistic mode's part before forwarding: (answer, body, after). `answer` is (status,
        data) to send instead of forwarding; else `body` (possibly rewritten) is forwarded and
        `after(status, data)` rewrites moto's answer."""
        st = self.server.state
        real = st.real
        now = time.time()
        one = lambda k: (params.get(k) or [""])[0]

        if action == "DescribeVpcEndpoints":
            ids = list_param(params, "VpcEndpointId")
            with st.lock:
                hidden = [i for i in ids if real.invisible(i, now)]
                if hidden:
                    real.hidden += 1
            if hidden:
                many = len(hidden) > 1
                data, _ = ec2_error("InvalidVpcEndpointId.NotFound",
                                    f"The vpcEndpoint ID{'s' if many else ''} '{', '.join(hidden)}' {'do' if many else 'does'} not exist")
                return (400, data), body, None
            return None, body, self.realistic_describe

        if action == "CreateVpcEndpoint":
            service = one("ServiceName")
            if one("VpcEndpointType").lower() == "interface" and one("PrivateDnsEnabled").lower() != "false":
                conflict = self.deleting_dns_conflict(service, one("VpcId"))
                if conflict:
                    return (400, conflict), body, None
            etype = endpoint_type(one("VpcEndpointType"))
            return None, body, lambda status, data: self.realistic_created(status, data, service, etype)

        if action == "ModifyVpcEndpoint":
            ep_id = one("VpcEndpointId")
            with st.lock:
                if real.invisible(ep_id, now):
                    data, _ = ec2_error("InvalidVpcEndpointId.NotFound", f"The vpcEndpoint ID '{ep_id}' does not exist")
                    return (400, data), body, None
                state = real.state(ep_id, now)
                ep = real.eps.get(ep_id)
                conflict = None
                if state in ("deleting", "deleted"):
                    conflict = ("IncorrectState", f"The VPC endpoint {ep_id} is {state} and cannot be modified.")
                elif state == "pending" and real.cfg["incorrect_state"]:
                    if ep is not None and now < ep.busy_until and now >= ep.pending_until and not ep.awaiting:
                        code = real.cfg["modify_conflict_code"]
                        msg = ("VpcEndpoint modify operation in progress" if code == "OperationInProgress"
                               else f"The VPC endpoint {ep_id} is being modified; it cannot be modified again until it is available.")
                        conflict = (code, msg)
                    else:
                        conflict = ("IncorrectState", f"The VPC endpoint {ep_id} is in state pending and cannot be modified until it is available.")
                if conflict:
                    real.conflict(action)
                    data, _ = ec2_error(*conflict)
                    return (400, data), body, None

            if one("PrivateDnsEnabled").lower() == "true":
                me = self.realistic_endpoints([ep_id]).get(ep_id)
                if me and me["vpcEndpointType"].lower() == "interface" and me["privateDnsEnabled"] != "true":
                    conflict = self.deleting_dns_conflict(me["serviceName"], me["vpcId"], exclude=ep_id)
                    if conflict:
                        return (400, conflict), body, None

            def modified(status, data):
                if status == 200:
                    with st.lock:
                        t = time.time()
                        ep = real.eps.get(ep_id) or real.track(ep_id, "", t - 3600)
                        ep.busy_until = max(ep.busy_until, t + real.cfg["modify_s"])
                return data
            return None, body, modified

        if action == "DeleteVpcEndpoints":
            ids = list_param(params, "VpcEndpointId")
            refused, already = [], []
            with st.lock:
                for i in ids:
                    state = real.state(i, now)
                    if real.invisible(i, now) or state == "deleted":
                        refused.append((i, "InvalidVpcEndpoint.NotFound", f"The VPC endpoint '{i}' does not exist"))
                    elif state == "deleting":
                        already.append(i)
                    elif state == "pending" and real.cfg["incorrect_state"]:
                        real.conflict(action)
                        refused.append((i, "IncorrectState", f"The VPC endpoint {i} is in state pending and cannot be deleted until it is available."))
            skip = {r[0] for r in refused} | set(already)
            keep = [i for i in ids if i not in skip]
            # The deleting time depends on the type: learn it (from moto) for endpoints without a clock.
            types = {}
            with st.lock:
                unknown = [i for i in keep if real.times_by_type() and (i not in real.eps or not real.eps[i].etype)]
            if unknown:
                types = {i: endpoint_type(e["vpcEndpointType"]) for i, e in self.realistic_endpoints(unknown).items()}
            if not keep:
                return (200, unsuccessful_answer(action, refused)), body, None
            if skip:
                pairs = [(k, v) for k, v in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                         if not k.startswith("VpcEndpointId.")]
                pairs += [(f"VpcEndpointId.{n}", i) for n, i in enumerate(keep, 1)]
                body = urllib.parse.urlencode(pairs).encode()

            def deleted(status, data):
                if status != 200:
                    return data
                root, ns = xml_root(data)
                if root is None:
                    return data
                uns = root.find(q(ns, "unsuccessful"))
                if uns is None:
                    uns = ET.SubElement(root, q(ns, "unsuccessful"))
                failed = {child_text(item, ns, "resourceId") for item in uns}
                with st.lock:
                    t = time.time()
                    for i in keep:
                        if i not in failed:
                            ep = real.eps.get(i) or real.track(i, "", t - 3600, types.get(i, ""))
                            ep.etype = ep.etype or types.get(i, "")
                            ep.deleted_at = t
                for item in unsuccessful_items(ns, refused):
                    uns.append(item)
                return xml_bytes(root, ns)
            return None, body, deleted

        if action in ("AcceptVpcEndpointConnections", "RejectVpcEndpointConnections"):
            failures = []
            with st.lock:
                for i in list_param(params, "VpcEndpointId"):
                    ok = real.accept(i, now) if action.startswith("Accept") else real.reject(i, now)
                    if not ok:
                        code = "InvalidVpcEndpointId.NotFound" if i not in real.eps else "InvalidState"
                        failures.append((i, code, f"The VPC endpoint {i} is not awaiting acceptance."))
            return (200, unsuccessful_answer(action, failures)), body, None

        if action in ("CreateTags", "DeleteTags") and real.cfg["tags_invisible_ms"] > 0:
            with st.lock:
                ids = [r for r in list_param(params, "ResourceId") if r in real.eps]
            keys = [v[0] for k, v in params.items() if re.fullmatch(r"Tag\.\d+\.Key", k)]
            if not ids or not keys:
                return None, body, None
            before = self.realistic_tags(ids)
            if before is None:
                return None, body, None

            def tagged(status, data):
                if status == 200:
                    with st.lock:
                        until = time.time() + real.cfg["tags_invisible_ms"] / 1000.0
                        for i in ids:
                            old, ep = before.get(i, {}), real.eps.get(i)
                            if ep is not None:
                                ep.tag_masks.append((until, {k: old.get(k) for k in keys}))
                return data
            return None, body, tagged

        return None, body, None

    def deleting_dns_conflict(self, service, vpc_id, exclude=None):
        """EC2 keeps an endpoint's private hosted zone until the endpoint is gone: while one of `service`
        with private DNS is `deleting` in `vpc_id`, private DNS for the service there is refused as
        scripts/moto_server.py refuses it next to a live one (moto has deleted the endpoint already).
        The error document of that answer, or None."""
        st = self.server.state
        with st.lock:
            now = time.time()
            ids = [i for i, ep in st.real.eps.items()
                   if i != exclude and ep.service in ("", service) and st.real.state(i, now) == "deleting"]
        if not ids:
            return None
        for i, ep in self.realistic_endpoints(ids).items():
            if (ep["serviceName"] == service and ep["vpcId"] == vpc_id and ep["vpcEndpointType"].lower() == "interface"
                    and ep["privateDnsEnabled"] == "true"):
                parts = service.split(".")
                name = (".".join(parts[3:]) + "." + parts[2] + ".amazonaws.com"
                        if len(parts) >= 4 and parts[:2] == ["com", "amazonaws"] and parts[2] != "vpce" else service)
                data, _ = ec2_error("InvalidParameter",
                                    f"private-dns-enabled cannot be set because there is already a conflicting DNS domain for {name} in the VPC {vpc_id}")
                return data
        return None

    def realistic_endpoints(self, ids):
        """moto's vpcId, serviceName, vpcEndpointType and privateDnsEnabled of endpoints `ids` (deleted ones
        included: moto keeps them, `deleted`), {id: {...}}; {} on failure."""
        pairs = [("Action", "DescribeVpcEndpoints"), ("Version", "2016-11-15")]
        pairs += [(f"VpcEndpointId.{n}", i) for n, i in enumerate(ids, 1)]
        status, _, data = self.forward("POST", urllib.parse.urlencode(pairs).encode())
        if status != 200:
            return {}
        root, ns = xml_root(data)
        if root is None:
            return {}
        out = {}
        for item in root.iter(q(ns, "vpcEndpointSet")):
            for ep in item:
                fields = ("vpcId", "serviceName", "vpcEndpointType", "privateDnsEnabled")
                out[child_text(ep, ns, "vpcEndpointId")] = {f: (child_text(ep, ns, f) or "") for f in fields}
        return out

    def realistic_tags(self, ids):
        """The tags of endpoints `ids` as moto has them now ({id: {key: value}}), None on failure."""
        pairs = [("Action", "DescribeVpcEndpoints"), ("Version", "2016-11-15")]
        pairs += [(f"VpcEndpointId.{n}", i) for n, i in enumerate(ids, 1)]
        status, _, data = self.forward("POST", urllib.parse.urlencode(pairs).encode())
        if status != 200:
            return None
        root, ns = xml_root(data)
        if root is None:
            return None
        out = {}
        for item in root.iter(q(ns, "vpcEndpointSet")):
            for ep in item:
                tags = {}
                for t in ep.findall(f"{q(ns, 'tagSet')}/{q(ns, 'item')}"):
                    tags[child_text(t, ns, "key")] = child_text(t, ns, "value")
                out[child_text(ep, ns, "vpcEndpointId")] = tags
        return out

    def realistic_describe(self, status, data):
        st = self.server.state
        if status != 200:
            return data
        with st.lock:
            if not st.real.eps:
                return data
        root, ns = xml_root(data)
        if root is None:
            return data
        with st.lock:
            now = time.time()
            for epset in root.iter(q(ns, "vpcEndpointSet")):
                for item in list(epset):
                    if not rewrite_endpoint(item, ns, st.real, now):
                        epset.remove(item)
        return xml_bytes(root, ns)

    def realistic_created(self, status, data, service, etype="gateway"):
        st = self.server.state
        if status != 200:
            return data
        root, ns = xml_root(data)
        if root is None:
            return data
        ve = root.find(q(ns, "vpcEndpoint"))
        ep_id = child_text(ve, ns, "vpcEndpointId") if ve is not None else None
        if not ep_id:
            return data
        with st.lock:
            now = time.time()
            etype = endpoint_type(child_text(ve, ns, "vpcEndpointType") or etype)
            st.real.track(ep_id, service or child_text(ve, ns, "serviceName") or "", now, etype)
            rewrite_endpoint(ve, ns, st.real, now, hide=False)
        return xml_bytes(root, ns)


def add_unsuccessful(body, items):
    """Adds an `<unsuccessful>` item per (resource id, (code, message)) to a DeleteVpcEndpoints answer."""
    xml = "".join(f"<item><error><code>{code}</code><message>{message}</message></error><resourceId>{rid}</resourceId></item>"
                  for rid, (code, message) in items)
    text = body.decode("utf-8", "replace")
    if "</unsuccessful>" in text:
        text = text.replace("</unsuccessful>", xml + "</unsuccessful>", 1)
    elif re.search(r"<unsuccessful\s*/>", text):
        text = re.sub(r"<unsuccessful\s*/>", "<unsuccessful>" + xml + "</unsuccessful>", text, count=1)
    else:
        text = text.replace("</DeleteVpcEndpointsResponse>", "<unsuccessful>" + xml + "</unsuccessful></DeleteVpcEndpointsResponse>", 1)
    return text.encode()


def show_pending(body, pending):
    """Rewrites `<state>available</state>` to `pending` for the endpoints listed ("*": all), in a
    DescribeVpcEndpoints answer (one `<item>` per endpoint, its `<vpcEndpointId>` before its `<state>`)."""
    if not pending:
        return body
    text = body.decode("utf-8", "replace")
    out, rest = [], text
    while True:
        m = re.search(r"<vpcEndpointId>(.*?)</vpcEndpointId>", rest)
        if not m:
            break
        out.append(rest[:m.end()])
        rest = rest[m.end():]
        if m.group(1) in pending or "*" in pending:
            j = rest.find("<state>available</state>")
            if j >= 0:
                out.append(rest[:j] + "<state>pending</state>")
                rest = rest[j + len("<state>available</state>"):]
    out.append(rest)
    return "".join(out).encode()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # Resets and clients hanging up are part of the job: no tracebacks on stderr.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, OSError)):
            return
        super().handle_error(request, client_address)


def latency_range(s):
    lo, _, hi = s.partition("-")
    lo, hi = int(lo), int(hi or lo)
    if lo < 0 or hi < lo:
        raise argparse.ArgumentTypeError("expected MIN-MAX milliseconds, e.g. 0-50")
    return (lo, hi)


def fail_action(s):
    parts = s.split(":")
    action = parts[0]
    code = parts[1] if len(parts) > 1 and parts[1] else "UnauthorizedOperation"
    status = int(parts[2]) if len(parts) > 2 and parts[2] else 403
    return (action, (code, status))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--target", required=True, help="the EC2 endpoint to forward to, e.g. http://127.0.0.1:5555")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--latency-ms", type=latency_range, default=(0, 0))
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--fail-action", type=fail_action, action="append", default=[])
    p.add_argument("--realistic", metavar="JSON", help='realistic-EC2 mode from the start, e.g. \'{"pending_s": 2, "throttle": true}\' (as POST /__realistic)')
    p.add_argument("--log", help="append one line per EC2 call (start, duration, client port, action, outcome) to this file")
    args = p.parse_args()

    target = urllib.parse.urlsplit(args.target)
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args)
    server.target_host = target.hostname or "127.0.0.1"
    server.target_port = target.port or 80
    server.log = open(args.log, "a") if args.log else None
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
