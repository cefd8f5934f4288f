//! The server's dispatch, called as Terraform calls it (the tfplugin6 service methods), with a
//! provider defined here: what the example test cannot reach with the Terraform at hand (resource
//! identities, list resources, import by identity, state and identity upgrades, StopProvider,
//! unregistered types, bad function calls, moves from other resource types).

use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::StreamExt;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::values::{decode_msgpack, encode_msgpack, Type, Value};
use tfplugin::wire::tfplugin6 as pb;
use tfplugin::wire::tfplugin6::provider_server::Provider as _;
use tfplugin::*;
use tonic::Request;

struct P;

impl Provider for P {
    type Ctx = Ctx<String>;
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block { description: "", attributes: vec![Attribute::optional("name", Type::String, "")], blocks: vec![] },
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.get("name").as_str() == Some("bad") {
            d.attr_error("name", "Bad name", "no");
        }
        d
    }
    fn configure<'a>(&'a self, req: ConfigureRequest) -> BoxFuture<'a, ConfigureResponse<String>> {
        let name = req.config.get("name").as_str().unwrap_or("anon").to_string();
        Box::pin(async move { ConfigureResponse { client: Some(name), diags: Diagnostics::new() } })
    }
}

fn thing_schema() -> Schema {
    Schema {
        version: 1,
        block: Block {
            description: "",
            attributes: vec![
                Attribute::computed("id", Type::String, ""),
                Attribute::required("name", Type::String, ""),
                Attribute::optional("note", Type::String, "").deprecated("Notes go away."),
            ],
            blocks: vec![],
        },
    }
}

struct Thing {
    schema: Schema,
    identity: IdentitySchema,
}

impl Resource<Ctx<String>> for Thing {
    fn type_name(&self) -> &'static str {
        "t_thing"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn plan<'a>(&'a self, _ctx: &'a Ctx<String>, req: PlanRequest) -> BoxFuture<'a, PlanResponse> {
        let mut resp = default_plan(&self.schema, &req);
        if req.config.get("note").as_str() == Some("refuse") {
            resp.diags.attr_error("note", "Refused", "this note is refused");
        }
        Box::pin(async move { resp })
    }
    fn apply<'a>(&'a self, ctx: &'a Ctx<String>, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse> {
        let mut state = req.planned;
        if let Value::Object(a) = &mut state {
            a.insert("id".into(), Value::string(format!("{}-{}", ctx.client, a["name"].as_str().unwrap_or_default())));
        }
        Box::pin(async move { ApplyResponse { new_state: state, diags: Diagnostics::new() } })
    }
    /// Waits for StopProvider when the note says so.
    fn read<'a>(&'a self, ctx: &'a Ctx<String>, state: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move {
            let mut state = state;
            if state.get("note").as_str() == Some("wait") {
                let note = tokio::select! {
                    _ = ctx.cancel.cancelled() => "cancelled",
                    _ = tokio::time::sleep(Duration::from_secs(10)) => "not cancelled",
                };
                if let Value::Object(a) = &mut state {
                    a.insert("note".into(), Value::string(note));
                }
            } else if state.get("note").as_str() == Some("check") {
                let note = if ctx.cancel.is_cancelled() { "stale token" } else { "fresh token" };
                if let Value::Object(a) = &mut state {
                    a.insert("note".into(), Value::string(note));
                }
            }
            ReadResponse { new_state: state, diags: Diagnostics::new() }
        })
    }
    fn import<'a>(&'a self, _ctx: &'a Ctx<String>, id: String) -> BoxFuture<'a, ImportResponse> {
        let name = id.rsplit('-').next().unwrap_or_default().to_string();
        Box::pin(async move {
            ImportResponse { state: Value::object([("id", Value::string(id)), ("name", Value::string(name))]), diags: Diagnostics::new() }
        })
    }
    /// Identities of another tenant are refused (the server hands over the whole identity).
    fn import_identity<'a>(&'a self, ctx: &'a Ctx<String>, identity: Value) -> BoxFuture<'a, ImportResponse> {
        match identity.get("id").as_str() {
            Some(id) if !id.starts_with(&format!("{}-", ctx.client)) => {
                let mut diags = Diagnostics::new();
                diags.error("Another tenant", format!("{id} is not {}'s.", ctx.client));
                Box::pin(async move { ImportResponse { state: Value::Null, diags } })
            }
            Some(id) => self.import(ctx, id.to_string()),
            None => Box::pin(async { ImportResponse::default() }),
        }
    }
    /// Version 0 called `name` `label`.
    fn upgrade_state(&self, version: i64, mut state: serde_json::Value) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            if let Some(label) = state.as_object_mut().and_then(|o| o.remove("label")) {
                state["name"] = label;
            }
        }
        Ok(state)
    }
    fn identity(&self) -> Option<&dyn Identity> {
        Some(self)
    }
    fn move_sources(&self) -> &[&'static str] {
        &["old_thing"]
    }
    /// `old_thing` (of provider `example/old` only) kept the name as `label` and the ID as `key`.
    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        let mut diags = Diagnostics::new();
        if !req.source_provider_address.ends_with("/example/old") {
            diags.error("Wrong provider", format!("not from {}", req.source_provider_address));
            return MoveResponse::refused(diags);
        }
        let s = &req.source_state;
        let from = req.source_identity.map(|i| i["key"].to_string()).unwrap_or_default();
        let note = format!("v{} from {from}", req.source_schema_version);
        let state = Value::object([
            ("id", Value::string(s["key"].as_str().unwrap_or_default())),
            ("name", Value::string(s["label"].as_str().unwrap_or_default())),
            ("note", Value::string(note)),
        ]);
        MoveResponse { state, identity: None, diags }
    }
}

impl Identity for Thing {
    fn schema(&self) -> &IdentitySchema {
        &self.identity
    }
    fn of(&self, state: &Value) -> Value {
        Value::object([("id", state.get("id").clone())])
    }
    fn import_id(&self, identity: &Value) -> Option<String> {
        identity.get("id").as_str().map(str::to_string)
    }
}

struct Things(Schema);

impl ListResource<Ctx<String>> for Things {
    fn type_name(&self) -> &'static str {
        "t_thing"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    fn list<'a>(&'a self, ctx: &'a Ctx<String>, req: ListRequest) -> BoxStream<'a, ListItem> {
        let n = req.config.get("count").as_i64().unwrap_or(0);
        futures::stream::iter(0..n)
            .map(move |i| {
                let id = format!("{}-n{i}", ctx.client);
                let state =
                    Value::object([("id", Value::string(id.clone())), ("name", Value::string(format!("n{i}"))), ("note", Value::Null)]);
                ListItem {
                    identity: Value::object([("id", Value::string(id))]),
                    display_name: format!("thing {i}"),
                    resource: Some(state),
                    diags: Diagnostics::new(),
                }
            })
            .boxed()
    }
}

struct Echo(Schema);

impl DataSource<Ctx<String>> for Echo {
    fn type_name(&self) -> &'static str {
        "t_echo"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    fn read<'a>(&'a self, ctx: &'a Ctx<String>, config: Value) -> BoxFuture<'a, ReadResponse> {
        let state = Value::object([
            ("in", config.get("in").clone()),
            ("out", Value::string(format!("{}:{}", ctx.client, config.get("in").as_str().unwrap_or_default()))),
        ]);
        Box::pin(async move { ReadResponse { new_state: state, diags: Diagnostics::new() } })
    }
}

struct Add(Signature);

impl Function for Add {
    fn name(&self) -> &'static str {
        "add"
    }
    fn signature(&self) -> &Signature {
        &self.0
    }
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let mut sum = 0i64;
        for (i, a) in args.iter().enumerate() {
            sum = sum
                .checked_add(a.as_i64().ok_or_else(|| FunctionError::at(i, "whole numbers only"))?)
                .ok_or_else(|| FunctionError::new("overflow"))?;
        }
        Ok(Value::number(sum))
    }
}

fn server() -> Server<P> {
    let registry = Registry::new()
        .resource(Thing {
            schema: thing_schema(),
            identity: IdentitySchema { version: 2, attributes: vec![IdentityAttribute::required("id", Type::String, "")] },
        })
        .list_resource(Things(Schema {
            version: 0,
            block: Block { description: "", attributes: vec![Attribute::required("count", Type::Number, "")], blocks: vec![] },
        }))
        .data_source(Echo(Schema {
            version: 0,
            block: Block {
                description: "",
                attributes: vec![Attribute::required("in", Type::String, ""), Attribute::computed("out", Type::String, "")],
                blocks: vec![],
            },
        }))
        .function(Add(Signature {
            summary: "",
            description: "",
            parameters: vec![Parameter::new("a", Type::Number, "")],
            variadic: Some(Parameter::new("more", Type::Number, "")),
            returns: Type::Number,
        }));
    Server::new(
        P,
        registry,
        Options::new("terraform-provider-t", "registry.terraform.io/t/t").destroy_plan_errors_as_warnings("(destroying)"),
    )
}

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue { msgpack: encode_msgpack(v, ty).expect("encode"), json: vec![] })
}

fn val(d: &Option<pb::DynamicValue>, ty: &Type) -> Value {
    decode_msgpack(&d.as_ref().expect("a value").msgpack, ty).expect("decode")
}

fn thing(name: &str, note: Option<&str>) -> Value {
    Value::object([("id", Value::Null), ("name", Value::string(name)), ("note", note.map(Value::string).unwrap_or(Value::Null))])
}

fn summaries(d: &[pb::Diagnostic]) -> Vec<String> {
    d.iter().map(|d| format!("{}: {}", d.summary, d.detail)).collect()
}

async fn configure(s: &Server<P>) {
    let config = Value::object([("name", Value::string("acme"))]);
    let resp = s
        .configure_provider(Request::new(pb::configure_provider::Request { config: dv(&config, &s.schema().ty()), ..Default::default() }))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
}

#[tokio::test]
async fn metadata_and_schemas_list_what_is_registered() {
    let s = server();
    let m = s.get_metadata(Request::new(Default::default())).await.unwrap().into_inner();
    assert_eq!(m.resources.iter().map(|r| r.type_name.as_str()).collect::<Vec<_>>(), ["t_thing"]);
    assert_eq!(m.data_sources.iter().map(|r| r.type_name.as_str()).collect::<Vec<_>>(), ["t_echo"]);
    assert_eq!(m.list_resources.iter().map(|r| r.type_name.as_str()).collect::<Vec<_>>(), ["t_thing"]);
    assert_eq!(m.functions.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["add"]);
    let sch = s.get_provider_schema(Request::new(Default::default())).await.unwrap().into_inner();
    assert_eq!(sch.resource_schemas["t_thing"].version, 1);
    assert!(sch.data_source_schemas.contains_key("t_echo") && sch.list_resource_schemas.contains_key("t_thing"));
    assert_eq!(sch.functions["add"].parameters.len(), 1);
    assert!(sch.functions["add"].variadic_parameter.is_some());
    let ids = s.get_resource_identity_schemas(Request::new(Default::default())).await.unwrap().into_inner();
    assert_eq!(ids.identity_schemas["t_thing"].version, 2);
    assert_eq!(ids.identity_schemas["t_thing"].identity_attributes[0].name, "id");
    assert!(ids.identity_schemas["t_thing"].identity_attributes[0].required_for_import);
}

#[tokio::test]
async fn deprecated_attributes_carry_their_message_and_warn_when_set() {
    let s = server();
    let sch = s.get_provider_schema(Request::new(Default::default())).await.unwrap().into_inner();
    let attrs = &sch.resource_schemas["t_thing"].block.as_ref().unwrap().attributes;
    let note = attrs.iter().find(|a| a.name == "note").unwrap();
    assert!(note.deprecated);
    assert_eq!(note.deprecation_message, "Notes go away.");
    assert!(attrs.iter().filter(|a| a.name != "note").all(|a| !a.deprecated && a.deprecation_message.is_empty()));
    let ty = thing_schema().ty();
    let validate = |config: Value| {
        s.validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "t_thing".into(),
            config: dv(&config, &ty),
            ..Default::default()
        }))
    };
    let r = validate(thing("a", Some("n"))).await.unwrap().into_inner();
    assert_eq!(summaries(&r.diagnostics), ["Argument is deprecated: Notes go away."]);
    assert_eq!(r.diagnostics[0].severity, pb::diagnostic::Severity::Warning as i32);
    let path = r.diagnostics[0].attribute.as_ref().expect("a path");
    assert!(
        matches!(path.steps[..], [pb::attribute_path::Step { selector: Some(pb::attribute_path::step::Selector::AttributeName(ref n)) }] if n == "note")
    );
    let r = validate(thing("a", None)).await.unwrap().into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[tokio::test]
async fn unregistered_types_and_unconfigured_calls_are_diagnostics() {
    let s = server();
    let ty = thing_schema().ty();
    let r = s
        .read_resource(Request::new(pb::read_resource::Request { type_name: "t_nope".into(), ..Default::default() }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(summaries(&r.diagnostics), ["Unknown resource type: This provider has no resource type \"t_nope\"; it has t_thing."]);
    let r = s
        .read_data_source(Request::new(pb::read_data_source::Request { type_name: "t_nope".into(), ..Default::default() }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(summaries(&r.diagnostics), ["Unknown data source type: This provider has no data source type \"t_nope\"; it has t_echo."]);
    let r = s
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "t_thing".into(),
            current_state: dv(&thing("a", None), &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics[0].summary, "Provider not configured");
    let bad = s
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "t_thing".into(),
            config: Some(pb::DynamicValue { msgpack: vec![0xc1], json: vec![] }),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(bad.diagnostics[0].summary, "Invalid configuration");
    let mut events = s
        .list_resource(Request::new(pb::list_resource::Request { type_name: "t_nope".into(), ..Default::default() }))
        .await
        .unwrap()
        .into_inner();
    let e = events.next().await.expect("one event").unwrap();
    assert_eq!(e.diagnostic[0].summary, "Unknown list resource type");
    assert!(events.next().await.is_none());
    let v = s
        .validate_provider_config(Request::new(pb::validate_provider_config::Request {
            config: dv(&Value::object([("name", Value::string("bad"))]), &s.schema().ty()),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.diagnostics[0].summary, "Bad name");
    // Ephemeral resources stay unsupported (a gRPC status, as before).
    let e = s.open_ephemeral_resource(Request::new(Default::default())).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unimplemented);
}

#[tokio::test]
async fn lifecycle_with_identity() {
    let s = server();
    configure(&s).await;
    let ty = thing_schema().ty();
    let id_ty = Type::Object([("id".to_string(), Type::String)].into());
    let config = thing("x", None);
    let plan = s
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&Value::Null, &ty),
            proposed_new_state: dv(&config, &ty),
            config: dv(&config, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let planned = val(&plan.planned_state, &ty);
    assert!(!planned.get("id").is_known(), "computed id is unknown on create: {planned:?}");
    assert!(plan.planned_identity.is_none(), "an identity that is not known yet is not planned");
    let apply = s
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&Value::Null, &ty),
            planned_state: plan.planned_state.clone(),
            config: dv(&config, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let state = val(&apply.new_state, &ty);
    assert_eq!(state.get("id").as_str(), Some("acme-x"), "the context holds the configured client");
    let identity = val(&apply.new_identity.as_ref().unwrap().identity_data, &id_ty);
    assert_eq!(identity.get("id").as_str(), Some("acme-x"));

    // A force_new-free change plans in place and keeps the id; a destroy plans null.
    let changed = Value::object([("id", Value::string("acme-x")), ("name", Value::string("x")), ("note", Value::string("hi"))]);
    let plan = s
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: apply.new_state.clone(),
            proposed_new_state: dv(&changed, &ty),
            config: dv(&thing("x", Some("hi")), &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(plan.requires_replace.is_empty());
    assert_eq!(val(&plan.planned_state, &ty), changed);
    assert_eq!(val(&plan.planned_identity.as_ref().unwrap().identity_data, &id_ty).get("id").as_str(), Some("acme-x"));
    let destroy = s
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: apply.new_state.clone(),
            proposed_new_state: dv(&Value::Null, &ty),
            prior_private: b"p".to_vec(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(val(&destroy.planned_state, &ty).is_null());
    assert_eq!(destroy.planned_private, b"p");

    // Plan errors stay errors outside destroy runs (this test process is no `terraform destroy`).
    let refused = thing("x", Some("refuse"));
    let plan = s
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&Value::Null, &ty),
            proposed_new_state: dv(&refused, &ty),
            config: dv(&refused, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(plan.diagnostics[0].severity, pb::diagnostic::Severity::Error as i32);
    assert!(plan.planned_state.is_none());

    // Import by ID, and by identity.
    let imp = s
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "t_thing".into(),
            id: "acme-y".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let got = &imp.imported_resources[0];
    assert_eq!(val(&got.state, &ty).get("name").as_str(), Some("y"));
    assert_eq!(val(&got.identity.as_ref().unwrap().identity_data, &id_ty).get("id").as_str(), Some("acme-y"));
    let by_identity = pb::ResourceIdentityData { identity_data: dv(&Value::object([("id", Value::string("acme-z"))]), &id_ty) };
    let imp = s
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "t_thing".into(),
            identity: Some(by_identity),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&imp.imported_resources[0].state, &ty).get("name").as_str(), Some("z"));
    let foreign = pb::ResourceIdentityData { identity_data: dv(&Value::object([("id", Value::string("other-z"))]), &id_ty) };
    let imp = s
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "t_thing".into(),
            identity: Some(foreign),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(imp.imported_resources.is_empty());
    assert_eq!(imp.diagnostics[0].summary, "Another tenant");
    assert_eq!(imp.diagnostics[0].detail, "other-z is not acme's.");
}

#[tokio::test]
async fn upgrades_rewrite_then_prune() {
    let s = server();
    let ty = thing_schema().ty();
    let raw = br#"{"id":"i","label":"old","gone":{"x":1}}"#.to_vec();
    let up = s
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "t_thing".into(),
            version: 0,
            raw_state: Some(pb::RawState { json: raw, ..Default::default() }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(up.diagnostics.is_empty(), "{:?}", up.diagnostics);
    assert_eq!(
        val(&up.upgraded_state, &ty),
        Value::object([("id", Value::string("i")), ("name", Value::string("old")), ("note", Value::Null)])
    );
    let garbage = s
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "t_thing".into(),
            version: 1,
            raw_state: Some(pb::RawState { json: b"{".to_vec(), ..Default::default() }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(garbage.diagnostics[0].summary, "Cannot upgrade state");
    let id = s
        .upgrade_resource_identity(Request::new(pb::upgrade_resource_identity::Request {
            type_name: "t_thing".into(),
            version: 1,
            raw_identity: Some(pb::RawState { json: br#"{"id":"i","old":true}"#.to_vec(), ..Default::default() }),
        }))
        .await
        .unwrap()
        .into_inner();
    let id_ty = Type::Object([("id".to_string(), Type::String)].into());
    assert_eq!(val(&id.upgraded_identity.unwrap().identity_data, &id_ty), Value::object([("id", Value::string("i"))]));
}

fn move_request(source_type: &str, provider: &str, state: &[u8]) -> pb::move_resource_state::Request {
    pb::move_resource_state::Request {
        source_provider_address: provider.into(),
        source_type_name: source_type.into(),
        source_schema_version: 3,
        source_state: Some(pb::RawState { json: state.to_vec(), ..Default::default() }),
        target_type_name: "t_thing".into(),
        source_private: b"theirs".to_vec(),
        source_identity: Some(pb::RawState { json: br#"{"key":"k1"}"#.to_vec(), ..Default::default() }),
        source_identity_schema_version: 0,
    }
}

#[tokio::test]
async fn moves_convert_listed_sources_and_refuse_others() {
    let s = server();
    let caps = s.get_provider_schema(Request::new(Default::default())).await.unwrap().into_inner().server_capabilities.unwrap();
    assert!(caps.move_resource_state, "a resource takes moves: the capability is advertised");
    let caps = s.get_metadata(Request::new(Default::default())).await.unwrap().into_inner().server_capabilities.unwrap();
    assert!(caps.move_resource_state);

    let ty = thing_schema().ty();
    // Not configured: Terraform moves before it configures the provider.
    let id_ty = Type::Object([("id".to_string(), Type::String)].into());
    let ok = s
        .move_resource_state(Request::new(move_request(
            "old_thing",
            "registry.terraform.io/example/old",
            br#"{"key":"k1","label":"moved","extra":[1,2]}"#,
        )))
        .await
        .unwrap()
        .into_inner();
    assert!(ok.diagnostics.is_empty(), "{:?}", summaries(&ok.diagnostics));
    assert_eq!(
        val(&ok.target_state, &ty),
        Value::object([("id", Value::string("k1")), ("name", Value::string("moved")), ("note", Value::string("v3 from \"k1\""))])
    );
    assert!(ok.target_private.is_empty(), "the source's private state is not carried over");
    let identity = val(&ok.target_identity.as_ref().expect("an identity").identity_data, &id_ty);
    assert_eq!(identity, Value::object([("id", Value::string("k1"))]), "the identity of the moved state");

    // The resource's own refusal, an unlisted source type, an unknown target, unreadable state.
    let wrong = s
        .move_resource_state(Request::new(move_request("old_thing", "registry.terraform.io/someone/old", br#"{"key":"k"}"#)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(summaries(&wrong.diagnostics), ["Wrong provider: not from registry.terraform.io/someone/old"]);
    assert!(wrong.target_state.is_none() && wrong.target_identity.is_none());
    let unlisted = s
        .move_resource_state(Request::new(move_request("aws_instance", "registry.terraform.io/hashicorp/aws", br#"{"id":"i-1"}"#)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        summaries(&unlisted.diagnostics),
        ["Move not supported: Cannot move aws_instance (hashicorp/aws) to t_thing: t_thing can take the state of old_thing only. Remove the `moved` block and import the object instead."]
    );
    let mut to_nothing = move_request("old_thing", "registry.terraform.io/example/old", b"{}");
    to_nothing.target_type_name = "t_nope".into();
    let r = s.move_resource_state(Request::new(to_nothing)).await.unwrap().into_inner();
    assert_eq!(r.diagnostics[0].summary, "Unknown resource type");
    for garbage in [&b"{"[..], b"", b"[1]"] {
        let r = s
            .move_resource_state(Request::new(move_request("old_thing", "registry.terraform.io/example/old", garbage)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.diagnostics[0].summary, "Cannot move state", "{garbage:?}");
    }
}

/// A resource that takes no moves: the default refuses, and no capability is advertised.
struct Plain(Schema);

impl Resource<Ctx<String>> for Plain {
    fn type_name(&self) -> &'static str {
        "t_plain"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    fn apply<'a>(&'a self, _ctx: &'a Ctx<String>, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse> {
        Box::pin(async move { ApplyResponse { new_state: req.planned, diags: Diagnostics::new() } })
    }
    fn read<'a>(&'a self, _ctx: &'a Ctx<String>, state: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move { ReadResponse { new_state: state, diags: Diagnostics::new() } })
    }
}

#[tokio::test]
async fn without_moving_resources_moves_are_refused() {
    let plain = Plain(thing_schema());
    let req = MoveRequest {
        source_provider_address: "registry.terraform.io/hashicorp/aws".into(),
        source_type_name: "aws_instance".into(),
        ..Default::default()
    };
    let refused = plain.move_state(req);
    assert!(refused.state.is_null());
    assert_eq!(
        refused.diags.0[0].detail,
        "t_plain cannot take the state of aws_instance (registry.terraform.io/hashicorp/aws): remove the `moved` block and import the object instead."
    );
    let s =
        Server::new(P, Registry::new().resource(Plain(thing_schema())), Options::new("terraform-provider-t", "registry.terraform.io/t/t"));
    let caps = s.get_provider_schema(Request::new(Default::default())).await.unwrap().into_inner().server_capabilities.unwrap();
    assert!(!caps.move_resource_state);
    let mut req = move_request("aws_instance", "registry.terraform.io/hashicorp/aws", b"{}");
    req.target_type_name = "t_plain".into();
    let r = s.move_resource_state(Request::new(req)).await.unwrap().into_inner();
    assert_eq!(
        summaries(&r.diagnostics),
        ["Move not supported: Cannot move aws_instance (hashicorp/aws) to t_plain: t_plain cannot take the state of other resource types. Remove the `moved` block and import the object instead."]
    );
}

#[tokio::test]
async fn list_resources_stream_items_up_to_the_limit() {
    let s = server();
    configure(&s).await;
    let cfg_ty = Type::Object([("count".to_string(), Type::Number)].into());
    let config = dv(&Value::object([("count", Value::number(5i64))]), &cfg_ty);
    let events: Vec<_> = s
        .list_resource(Request::new(pb::list_resource::Request {
            type_name: "t_thing".into(),
            config: config.clone(),
            include_resource_object: true,
            limit: 3,
        }))
        .await
        .unwrap()
        .into_inner()
        .collect()
        .await;
    assert_eq!(events.len(), 3, "the limit ends the stream");
    let e = events[1].as_ref().unwrap();
    assert_eq!(e.display_name, "thing 1");
    assert_eq!(val(&e.resource_object, &thing_schema().ty()).get("id").as_str(), Some("acme-n1"));
    let id_ty = Type::Object([("id".to_string(), Type::String)].into());
    assert_eq!(val(&e.identity.as_ref().unwrap().identity_data, &id_ty).get("id").as_str(), Some("acme-n1"));
    let events: Vec<_> = s
        .list_resource(Request::new(pb::list_resource::Request {
            type_name: "t_thing".into(),
            config,
            include_resource_object: false,
            limit: 0,
        }))
        .await
        .unwrap()
        .into_inner()
        .collect()
        .await;
    assert_eq!(events.len(), 5);
    assert!(events.iter().all(|e| e.as_ref().unwrap().resource_object.is_none()), "no state unless asked for");
}

#[tokio::test]
async fn data_sources_and_functions() {
    let s = server();
    configure(&s).await;
    let ty = Type::Object([("in".to_string(), Type::String), ("out".to_string(), Type::String)].into());
    let r = s
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "t_echo".into(),
            config: dv(&Value::object([("in", Value::string("hi"))]), &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&r.state, &ty).get("out").as_str(), Some("acme:hi"));

    let n = |i: i64| dv(&Value::number(i), &Type::Number).unwrap();
    let call = |args: Vec<pb::DynamicValue>, name: &str| {
        s.call_function(Request::new(pb::call_function::Request { name: name.into(), arguments: args }))
    };
    let ok = call(vec![n(2), n(3), n(4)], "add").await.unwrap().into_inner();
    assert_eq!(val(&ok.result, &Type::Number).as_i64(), Some(9));
    let err = call(vec![n(2), dv(&Value::number(1.5), &Type::Number).unwrap()], "add").await.unwrap().into_inner().error.unwrap();
    assert_eq!((err.text.as_str(), err.function_argument), ("whole numbers only", Some(1)));
    let err = call(vec![], "add").await.unwrap().into_inner().error.unwrap();
    assert!(err.text.contains("takes 1 arguments, got 0"), "{err:?}");
    let err = call(vec![pb::DynamicValue { msgpack: vec![0xc1], json: vec![] }], "add").await.unwrap().into_inner().error.unwrap();
    assert_eq!(err.function_argument, Some(0));
    let err = call(vec![], "nope").await.unwrap().into_inner().error.unwrap();
    assert!(err.text.contains("no function \"nope\""), "{err:?}");
}

#[tokio::test]
async fn stop_provider_cancels_calls_in_flight_and_later_calls_get_a_fresh_token() {
    let s = std::sync::Arc::new(server());
    configure(&s).await;
    let ty = thing_schema().ty();
    let waiting = Value::object([("id", Value::string("i")), ("name", Value::string("n")), ("note", Value::string("wait"))]);
    let read = {
        let s = s.clone();
        let state = dv(&waiting, &ty);
        tokio::spawn(async move {
            s.read_resource(Request::new(pb::read_resource::Request {
                type_name: "t_thing".into(),
                current_state: state,
                ..Default::default()
            }))
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    s.stop_provider(Request::new(Default::default())).await.unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(5), read).await.expect("read ended").unwrap().unwrap().into_inner();
    assert_eq!(val(&resp.new_state, &ty).get("note").as_str(), Some("cancelled"));
    let check = Value::object([("id", Value::string("i")), ("name", Value::string("n")), ("note", Value::string("check"))]);
    let resp = s
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "t_thing".into(),
            current_state: dv(&check, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&resp.new_state, &ty).get("note").as_str(), Some("fresh token"));
    // The stop handle cancels the current token and sees the configured client.
    let handle = s.stop_handle();
    assert_eq!(handle.client().as_deref(), Some("acme"));
    handle.cancel();
    let resp = s
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "t_thing".into(),
            current_state: dv(&check, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&resp.new_state, &ty).get("note").as_str(), Some("stale token"));
}
