//! The recording (and fault-injecting) proxy in front of moto, for tests: a thin client of
//! scripts/ec2proxy.py (the one proxy of the tests, the crash soak and the benchmark), started by
//! [`FaultProxy`] and driven through its `/__...` control API. Every EC2 request (query protocol,
//! form encoded) is decoded and kept, so tests can check what the provider sent even where moto
//! ignores it; chosen actions can be answered with an EC2 error or a canned body, or held.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use super::faultproxy::FaultProxy;

pub struct Proxy {
    pub url: String,
    inner: FaultProxy,
}

impl Proxy {
    /// scripts/ec2proxy.py in front of moto, without random faults; stopped on drop.
    pub fn start() -> Proxy {
        let inner = FaultProxy::start(&[]);
        Proxy { url: inner.url(), inner }
    }

    /// The proxy process and its whole control API (stats, random and scripted faults).
    pub fn faults(&self) -> &FaultProxy {
        &self.inner
    }

    /// scripts/ec2proxy.py in realistic-EC2 mode from the start: `cfg` as `POST /__realistic`
    /// (see the script's docstring), e.g. `{"pending_s": 2, "throttle": true}`.
    pub fn start_realistic(cfg: Json) -> Proxy {
        let inner = FaultProxy::start(&["--realistic", &cfg.to_string()]);
        Proxy { url: inner.url(), inner }
    }

    fn post(&self, path: &str, body: Json) -> Json {
        self.inner.control("POST", path, &body.to_string())
    }

    /// The decoded parameters of every recorded call of `action`, in order.
    pub fn calls(&self, action: &str) -> Vec<Vec<(String, String)>> {
        assert!(action.chars().all(|c| c.is_ascii_alphanumeric()), "an EC2 action name: {action:?}");
        let answer = self.inner.control("GET", &format!("/__calls?action={action}"), "");
        let calls = answer["calls"].as_array().unwrap_or_else(|| panic!("proxy /__calls: {answer}"));
        calls
            .iter()
            .map(|call| {
                call.as_array()
                    .unwrap_or_else(|| panic!("proxy /__calls: a call is not a list: {call}"))
                    .iter()
                    .map(|pair| match (pair[0].as_str(), pair[1].as_str()) {
                        (Some(k), Some(v)) => (k.to_string(), v.to_string()),
                        _ => panic!("proxy /__calls: not a [key, value] pair: {pair}"),
                    })
                    .collect()
            })
            .collect()
    }

    /// Forgets the recorded calls.
    pub fn clear(&self) {
        self.post("/__calls/clear", json!({}));
    }

    /// Answers every later `action` with an injected UnauthorizedOperation (HTTP 403).
    pub fn fail(&self, action: &str) {
        self.fail_with(action, "UnauthorizedOperation", 403);
    }

    /// Answers every later `action` with the EC2 error `code` and HTTP `status`.
    pub fn fail_with(&self, action: &str, code: &str, status: u16) {
        self.post("/__fail", json!({ "action": action, "code": code, "status": status }));
    }

    /// Answers every later `action` with HTTP 200 and `xml` as the body (not forwarded).
    pub fn respond(&self, action: &str, xml: &str) {
        self.post("/__respond", json!({ "action": action, "body": xml }));
    }

    /// Holds every later `action` unanswered until `heal`.
    pub fn hang(&self, action: &str) {
        self.post("/__hang", json!({ "action": action }));
    }

    /// Forwards every later `action` (it takes effect) but holds its answer until `heal`: the
    /// caller cannot know the outcome.
    pub fn hold_answer(&self, action: &str) {
        self.post("/__hold_answer", json!({ "action": action }));
    }

    /// How many calls have been executed with their answer held.
    pub fn held(&self) -> usize {
        let stats = self.inner.stats();
        stats["held"].as_u64().unwrap_or_else(|| panic!("proxy /__stats has no held count: {stats}")) as usize
    }

    /// DescribeVpcEndpoints (and CreateVpcEndpoint's answer) shows these endpoints (`*`: all)
    /// `pending` (as real EC2 does for a while).
    pub fn show_pending(&self, ids: &[String]) {
        self.post("/__pending", json!({ "ids": ids }));
    }

    /// EC2 refuses the resources `ids` in later calls of `action` with the error `code`:
    /// DeleteVpcEndpoints answers an `Unsuccessful` item for each (the other ids are deleted);
    /// any other action naming one fails as a whole (as CreateTags does for a bad id).
    pub fn refuse(&self, action: &str, ids: &[String], code: &str) {
        self.post("/__refuse", json!({ "action": action, "ids": ids, "code": code, "message": format!("refused by the test ({code})") }));
    }

    /// Ends every `fail`, `respond`, `hang`, `hold_answer`, `show_pending` and `refuse`.
    pub fn heal(&self) {
        self.post("/__heal", json!({}));
    }

    /// Changes settings of the realistic-EC2 mode (merged into the current ones); returns them all.
    pub fn realistic(&self, cfg: Json) -> Json {
        self.post("/__realistic", cfg)
    }

    fn realistic_ids(&self, path: &str, mut body: Json, ids: &[String]) -> Vec<String> {
        body["ids"] = json!(ids);
        let answer = self.post(path, body);
        answer["changed"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
    }

    /// Out-of-band acceptance of endpoints awaiting it (`pendingAcceptance` -> `pending` -> `available`);
    /// returns those that were awaiting it.
    pub fn accept(&self, ids: &[String]) -> Vec<String> {
        self.realistic_ids("/__realistic/accept", json!({}), ids)
    }

    /// Out-of-band rejection: the endpoints become `rejected`.
    pub fn reject(&self, ids: &[String]) -> Vec<String> {
        self.realistic_ids("/__realistic/reject", json!({}), ids)
    }

    /// A modification in progress for `seconds`: the endpoints show `pending`, and ModifyVpcEndpoint /
    /// DeleteVpcEndpoints are refused meanwhile (IncorrectState, or the configured conflict code).
    pub fn busy(&self, ids: &[String], seconds: f64) -> Vec<String> {
        self.realistic_ids("/__realistic/busy", json!({ "seconds": seconds }), ids)
    }

    /// The proxy's counters (`/__stats`).
    pub fn stats(&self) -> Json {
        self.inner.stats()
    }

    /// How many recorded DescribeVpcEndpoints calls asked for each endpoint by id (the polls).
    pub fn polls(&self) -> BTreeMap<String, usize> {
        let mut polls = BTreeMap::new();
        for call in self.calls("DescribeVpcEndpoints") {
            for (k, v) in &call {
                if k.starts_with("VpcEndpointId.") {
                    *polls.entry(v.clone()).or_insert(0) += 1;
                }
            }
        }
        polls
    }
}

/// The value of a parameter of a recorded call.
pub fn param<'a>(call: &'a [(String, String)], key: &str) -> Option<&'a str> {
    call.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Values of a list parameter (`AddRouteTableId.1`, `AddRouteTableId.2`, ...), sorted.
pub fn param_list(call: &[(String, String)], prefix: &str) -> Vec<String> {
    let p = format!("{prefix}.");
    let mut v: Vec<String> = call.iter().filter(|(k, _)| k.starts_with(&p)).map(|(_, v)| v.clone()).collect();
    v.sort();
    v
}
