//! The README's provider, kept compiling (cargo test builds examples).

use futures::future::BoxFuture;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::values::{Type, Value};
use tfplugin::*;

struct Hello;

impl Provider for Hello {
    type Ctx = Ctx<()>; // what configure yields (an API client, say) and the stop signal
    fn schema(&self) -> Schema {
        Schema::default()
    }
    fn configure<'a>(&'a self, _: ConfigureRequest) -> BoxFuture<'a, ConfigureResponse<()>> {
        Box::pin(async { ConfigureResponse { client: Some(()), diags: Diagnostics::new() } })
    }
}

/// `hello_greeting`: `name` in, `greeting` out, kept in Terraform's state.
struct Greeting(Schema);

impl Resource<Ctx<()>> for Greeting {
    fn type_name(&self) -> &'static str {
        "hello_greeting"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    // plan: the default (Terraform's proposal, computed attributes unknown on create).
    fn apply<'a>(&'a self, _: &'a Ctx<()>, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse> {
        let mut state = req.planned; // null when destroying
        if let Value::Object(attrs) = &mut state {
            let name = attrs["name"].as_str().unwrap_or_default().to_string();
            attrs.insert("greeting".into(), Value::string(format!("Hello, {name}!")));
        }
        Box::pin(async move { ApplyResponse { new_state: state, diags: Diagnostics::new() } })
    }
    fn read<'a>(&'a self, _: &'a Ctx<()>, state: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move { ReadResponse { new_state: state, diags: Diagnostics::new() } })
    }
}

fn main() {
    let greeting = Greeting(Schema {
        version: 0,
        block: Block {
            description: "A greeting.",
            attributes: vec![
                Attribute::required("name", Type::String, "Who to greet.").replace_when_changed(),
                Attribute::computed("greeting", Type::String, "The greeting."),
            ],
            blocks: vec![],
        },
    });
    let registry = Registry::new().resource(greeting); // .data_source(..).function(..)
    tfplugin::run(
        Server::new(Hello, registry, Options::new("terraform-provider-hello", "registry.terraform.io/me/hello")),
        tfplugin::RunOptions::default(),
    );
}
