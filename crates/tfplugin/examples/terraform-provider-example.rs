//! A tiny provider written with tfplugin, whose objects live in Terraform's state only:
//!
//! - resource `example_note`: `text` (required), `id` and `length` (computed), `lang` (optional,
//!   forces a new note), `title` (optional, deprecated with a message); it has an identity
//!   (`id`); a `terraform_data` whose `input` is a string
//!   moves into it (`moved` across resource types, Terraform 1.8+);
//! - data source `example_words`: splits `text` into `words` at the provider's `separator`;
//! - function `provider::example::reverse(string)`.
//!
//! Run by crates/tfplugin/tests/example.rs with real Terraform (dev_overrides for
//! `tfplugin/example`). By hand: `cargo build --release --example terraform-provider-example`.

use futures::future::BoxFuture;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::values::{Type, Value};
use tfplugin::{
    ApplyRequest, ApplyResponse, ConfigureRequest, ConfigureResponse, Ctx, DataSource, Diagnostics, Function, FunctionError, Identity,
    IdentityAttribute, IdentitySchema, MoveRequest, MoveResponse, Options, Parameter, PlanRequest, PlanResponse, ReadResponse, Registry,
    Resource, Server, Signature,
};

/// What configure yields: the provider block's settings.
#[derive(Clone)]
struct Settings {
    separator: String,
}

struct Example;

impl tfplugin::Provider for Example {
    type Ctx = Ctx<Settings>;

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                description: "An example provider whose objects live in Terraform's state only.",
                attributes: vec![Attribute::optional("separator", Type::String, "Where `example_words` splits text (default: a space).")],
                blocks: vec![],
            },
        }
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.get("separator").as_str() == Some("") {
            d.attr_error("separator", "Invalid separator", "The separator must not be empty.");
        }
        d
    }

    fn configure<'a>(&'a self, req: ConfigureRequest) -> BoxFuture<'a, ConfigureResponse<Settings>> {
        let diags = tfplugin::Provider::validate(self, &req.config);
        let separator = req.config.get("separator").as_str().unwrap_or(" ").to_string();
        Box::pin(async move { ConfigureResponse { client: Some(Settings { separator }), diags } })
    }
}

/// `example_note`: a piece of text with a computed ID and length.
struct Note {
    schema: Schema,
    identity: IdentitySchema,
}

impl Note {
    fn new() -> Self {
        let schema = Schema {
            version: 0,
            block: Block {
                description: "A note kept in Terraform's state.",
                attributes: vec![
                    Attribute::computed("id", Type::String, "Set at creation."),
                    Attribute::required("text", Type::String, "The note."),
                    Attribute::optional("lang", Type::String, "Language of the note; changing it makes a new note.").replace_when_changed(),
                    Attribute::computed("length", Type::Number, "Characters in `text`."),
                    Attribute::optional("title", Type::String, "A title for the note.")
                        .deprecated("Notes have no titles any more: put the title in `text`. `title` goes in version 1.0."),
                ],
                blocks: vec![],
            },
        };
        let identity = IdentitySchema { version: 0, attributes: vec![IdentityAttribute::required("id", Type::String, "The note's ID.")] };
        Note { schema, identity }
    }
}

fn length_of(text: &Value) -> Value {
    match text.as_str() {
        Some(s) => Value::number(s.chars().count() as i64),
        None => Value::unknown(),
    }
}

impl Resource<Ctx<Settings>> for Note {
    fn type_name(&self) -> &'static str {
        "example_note"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.get("text").as_str().is_some_and(|t| t.trim().is_empty()) {
            d.attr_error("text", "Empty note", "`text` must not be blank.");
        }
        d
    }

    fn plan<'a>(&'a self, _ctx: &'a Ctx<Settings>, req: PlanRequest) -> BoxFuture<'a, PlanResponse> {
        let mut resp = tfplugin::default_plan(&self.schema, &req);
        if let Value::Object(attrs) = &mut resp.planned {
            // The length is known at plan time (unknown only while the text is).
            attrs.insert("length".into(), length_of(req.proposed.get("text")));
        }
        Box::pin(async move { resp })
    }

    fn apply<'a>(&'a self, _ctx: &'a Ctx<Settings>, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse> {
        let mut new_state = req.planned;
        if let Value::Object(attrs) = &mut new_state {
            if !attrs.get("id").is_some_and(Value::is_known) {
                attrs.insert("id".into(), Value::string(format!("note-{}", uuid::Uuid::new_v4().simple())));
            }
        }
        Box::pin(async move { ApplyResponse { new_state, diags: Diagnostics::new() } })
    }

    fn read<'a>(&'a self, _ctx: &'a Ctx<Settings>, state: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move { ReadResponse { new_state: state, diags: Diagnostics::new() } })
    }

    fn identity(&self) -> Option<&dyn Identity> {
        Some(self)
    }

    fn move_sources(&self) -> &[&'static str] {
        &["terraform_data"]
    }

    /// Terraform's built-in `terraform_data`: its `input` (a string) becomes the text, its ID the
    /// note's.
    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        let mut diags = Diagnostics::new();
        if !req.source_provider_address.ends_with("builtin/terraform") {
            diags.error(
                "Cannot move",
                format!("Only Terraform's own terraform_data moves into a note, not {}.", req.source_provider_address),
            );
            return MoveResponse::refused(diags);
        }
        // A dynamically typed attribute is stored as {"value": ..., "type": ...}.
        let input = &req.source_state["input"];
        let text = input.as_str().or_else(|| input["value"].as_str());
        let (Some(text), Some(id)) = (text, req.source_state["id"].as_str()) else {
            diags.error("Cannot move", "Only a terraform_data whose input is a string moves into a note.");
            return MoveResponse::refused(diags);
        };
        let text = Value::string(text);
        let state = Value::object([
            ("id", Value::string(id)),
            ("length", length_of(&text)),
            ("text", text),
            ("lang", Value::Null),
            ("title", Value::Null),
        ]);
        MoveResponse { state, identity: None, diags }
    }
}

impl Identity for Note {
    fn schema(&self) -> &IdentitySchema {
        &self.identity
    }

    fn of(&self, state: &Value) -> Value {
        Value::object([("id", state.get("id").clone())])
    }
}

/// `example_words`: the words of a text.
struct Words {
    schema: Schema,
}

impl DataSource<Ctx<Settings>> for Words {
    fn type_name(&self) -> &'static str {
        "example_words"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn read<'a>(&'a self, ctx: &'a Ctx<Settings>, config: Value) -> BoxFuture<'a, ReadResponse> {
        let text = config.get("text").as_str().unwrap_or_default();
        let words: Vec<&str> = text.split(ctx.client.separator.as_str()).filter(|w| !w.is_empty()).collect();
        let mut state = config.clone();
        if let Value::Object(attrs) = &mut state {
            attrs.insert("total".into(), Value::number(words.len() as i64));
            attrs.insert("words".into(), Value::list_of_strings(words));
        }
        Box::pin(async move { ReadResponse { new_state: state, diags: Diagnostics::new() } })
    }
}

/// `provider::example::reverse(string)`.
struct Reverse {
    signature: Signature,
}

impl Function for Reverse {
    fn name(&self) -> &'static str {
        "reverse"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let s = args.first().and_then(Value::as_str).ok_or_else(|| FunctionError::at(0, "a string is required"))?;
        Ok(Value::string(s.chars().rev().collect::<String>()))
    }
}

fn main() {
    let registry = Registry::new()
        .resource(Note::new())
        .data_source(Words {
            schema: Schema {
                version: 0,
                block: Block {
                    description: "Splits a text into words.",
                    attributes: vec![
                        Attribute::required("text", Type::String, "The text."),
                        Attribute::computed("words", Type::List(Box::new(Type::String)), "Its words."),
                        Attribute::computed("total", Type::Number, "How many words."),
                    ],
                    blocks: vec![],
                },
            },
        })
        .function(Reverse {
            signature: Signature {
                summary: "Reverses a string",
                description: "Returns the characters of `text` in reverse order.",
                parameters: vec![Parameter::new("text", Type::String, "The string to reverse.")],
                variadic: None,
                returns: Type::String,
            },
        });
    tfplugin::run(
        Server::new(Example, registry, Options::new("terraform-provider-example", "registry.terraform.io/tfplugin/example")),
        tfplugin::RunOptions::default(),
    );
}
