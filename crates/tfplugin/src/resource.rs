//! What a provider is made of: the provider itself ([`Provider`]), managed resources
//! ([`Resource`]), their identity ([`Identity`]), data sources ([`DataSource`]), list resources
//! ([`ListResource`]) and functions ([`Function`]), with the requests and answers they exchange
//! with the [`Server`](crate::server::Server).
//!
//! Resources, data sources and list resources are generic over the context `C` the server hands
//! them on every call: the provider's [`Context`], built from what [`Provider::configure`]
//! yielded (an API client, say) and the StopProvider cancellation token.

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use tokio_util::sync::CancellationToken;

use crate::diagnostics::Diagnostics;
use crate::schema::Schema;
use crate::values::{PathStep, Type, Value};
use crate::wire::tfplugin6 as pb;

// ---------------------------------------------------------------------------
// The provider
// ---------------------------------------------------------------------------

/// What every resource, data source and list resource call gets. Made by the server for each
/// call from the configured client and the current StopProvider token.
pub trait Context: Send + Sync + 'static {
    /// What [`Provider::configure`] yields (e.g. an API client); `()` when there is nothing.
    type Client: Clone + Send + Sync + 'static;
    /// Builds the context of one call from the configured client and the call's stop signal.
    fn new(client: Self::Client, cancel: CancellationToken) -> Self;
}

/// A ready-made [`Context`]: the configured client and the stop signal.
#[derive(Clone, Debug)]
pub struct Ctx<T> {
    /// What the provider's configure yielded.
    pub client: T,
    /// Cancelled when Terraform calls StopProvider (Ctrl-C): long waits must end promptly.
    pub cancel: CancellationToken,
}

impl<T: Clone + Send + Sync + 'static> Context for Ctx<T> {
    type Client = T;
    fn new(client: T, cancel: CancellationToken) -> Self {
        Ctx { client, cancel }
    }
}

/// ConfigureProvider: the provider block's configuration.
pub struct ConfigureRequest {
    /// The provider block, decoded with [`Provider::schema`].
    pub config: Value,
    /// The version of the Terraform that runs the provider.
    pub terraform_version: String,
}

/// What configuring the provider yields: the client every call's context is built from, and diagnostics.
pub struct ConfigureResponse<T> {
    /// What resource calls get (in their [`Context`]); `None` when configuring failed.
    pub client: Option<T>,
    /// Errors (the provider is then not configured) and warnings.
    pub diags: Diagnostics,
}

/// The provider itself: its configuration and how it is configured.
pub trait Provider: Send + Sync + 'static {
    /// The context of resource, data source and list resource calls.
    type Ctx: Context;
    /// The schema of the `provider` block.
    fn schema(&self) -> Schema;
    /// Static checks of the provider block (it may hold unknown values).
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Configures the provider; the client it yields goes to every later resource call.
    fn configure<'a>(&'a self, req: ConfigureRequest) -> BoxFuture<'a, ConfigureResponse<<Self::Ctx as Context>::Client>>;
}

// ---------------------------------------------------------------------------
// Managed resources
// ---------------------------------------------------------------------------

/// PlanResourceChange: the prior state, Terraform's proposal, the configuration and the prior private data.
pub struct PlanRequest {
    /// Null when the resource is being created.
    pub prior: Value,
    /// Terraform's proposed new state (config merged with prior state for computed attributes).
    pub proposed: Value,
    /// The configuration (null for a destroy).
    pub config: Value,
    /// The private data of the prior state, or, when Terraform plans the create of a replacement
    /// (prior null), what the plan of the object being replaced returned as `planned_private`.
    pub prior_private: Vec<u8>,
}

#[derive(Default)]
/// The answer to PlanResourceChange.
pub struct PlanResponse {
    /// The planned state (null: destroy).
    pub planned: Value,
    /// The attribute paths whose change replaces the object.
    pub requires_replace: Vec<Vec<PathStep>>,
    /// Errors block the plan; warnings are shown.
    pub diags: Diagnostics,
    /// Private data for the planned object (`None`: the prior private data, unchanged).
    pub planned_private: Option<Vec<u8>>,
}

/// ApplyResourceChange: the prior state, the planned state and the configuration.
pub struct ApplyRequest {
    /// Null on create.
    pub prior: Value,
    /// Null on delete.
    pub planned: Value,
    /// The configuration (null for a destroy).
    pub config: Value,
}

#[derive(Default)]
/// The answer to ApplyResourceChange: the new state.
pub struct ApplyResponse {
    /// Null after a delete. After a failed create this still holds whatever was created.
    pub new_state: Value,
    /// Errors (the new state is then saved as well, and the object tainted when new) and warnings.
    pub diags: Diagnostics,
}

#[derive(Default)]
/// The answer to ReadResource or ReadDataSource.
pub struct ReadResponse {
    /// Null when the object no longer exists.
    pub new_state: Value,
    /// Errors and warnings.
    pub diags: Diagnostics,
}

#[derive(Default)]
/// The answer to ImportResourceState: the state of the imported object.
pub struct ImportResponse {
    /// The imported object's state (its id, and what a read then completes).
    pub state: Value,
    /// Errors and warnings.
    pub diags: Diagnostics,
}

/// A `moved` block whose `from` is another resource type, possibly of another provider
/// (MoveResourceState, Terraform 1.8+): the source as Terraform stored it.
#[derive(Clone, Debug, Default)]
pub struct MoveRequest {
    /// The source's provider, e.g. `registry.terraform.io/hashicorp/aws`.
    pub source_provider_address: String,
    /// The source's resource type, e.g. `aws_vpc_endpoint`.
    pub source_type_name: String,
    /// The schema version the source state was written with (by the source provider).
    pub source_schema_version: i64,
    /// The source state as stored (its JSON form), in the source's schema.
    pub source_state: serde_json::Value,
    /// The source's private state: opaque bytes of the source provider.
    pub source_private: Vec<u8>,
    /// The source's identity (its JSON form), when it has one (Terraform 1.12+).
    pub source_identity: Option<serde_json::Value>,
    /// The schema version of `source_identity`.
    pub source_identity_version: i64,
}

#[derive(Default)]
/// The answer to MoveResourceState: the target state.
pub struct MoveResponse {
    /// The state in this resource's schema; must not be null unless `diags` has errors.
    pub state: Value,
    /// The identity, for a resource with one; `None`: [`Identity::of`] the state.
    pub identity: Option<Value>,
    /// Errors and warnings.
    pub diags: Diagnostics,
}

impl MoveResponse {
    /// A refused move: no state, these diagnostics.
    pub fn refused(diags: Diagnostics) -> Self {
        MoveResponse { state: Value::Null, identity: None, diags }
    }
}

/// A managed resource (`resource "TYPE" "name" { ... }`).
pub trait Resource<C>: Send + Sync {
    /// The resource type name, e.g. `example_thing`.
    fn type_name(&self) -> &'static str;
    /// The resource's schema.
    fn schema(&self) -> &Schema;
    /// Static checks of the configuration (no API calls; the provider may not be configured yet).
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// The planned new state. The default, [`default_plan`], is the
    /// planner's plan of Terraform's proposal: computed attributes unknown on create, a
    /// replacement by the attributes' [replace rules](crate::schema::Replace).
    fn plan<'a>(&'a self, _ctx: &'a C, req: PlanRequest) -> BoxFuture<'a, PlanResponse> {
        let resp = default_plan(self.schema(), &req);
        Box::pin(async move { resp })
    }
    /// Creates (prior null), updates, or deletes (planned null) the object.
    fn apply<'a>(&'a self, ctx: &'a C, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse>;
    /// Refreshes the state; null when the object is gone.
    fn read<'a>(&'a self, ctx: &'a C, state: Value) -> BoxFuture<'a, ReadResponse>;
    /// `terraform import` / `import` blocks. Default: not importable.
    fn import<'a>(&'a self, _ctx: &'a C, _id: String) -> BoxFuture<'a, ImportResponse> {
        let type_name = self.type_name();
        Box::pin(async move {
            let mut diags = Diagnostics::new();
            diags.error("Import not supported", format!("{type_name} cannot be imported."));
            ImportResponse { state: Value::Null, diags }
        })
    }
    /// `import` blocks that give an `identity` (of [`Resource::identity`]'s schema) instead of an
    /// ID. Default: [`Identity::import_id`], then [`Resource::import`]; override it to check
    /// identity attributes that are not part of the ID (e.g. a region against the provider's).
    fn import_identity<'a>(&'a self, ctx: &'a C, identity: Value) -> BoxFuture<'a, ImportResponse> {
        match self.identity().and_then(|i| i.import_id(&identity)) {
            Some(id) => self.import(ctx, id),
            None => {
                let type_name = self.type_name();
                Box::pin(async move {
                    let mut diags = Diagnostics::new();
                    diags.error("Import by identity not supported", format!("{type_name} is imported by ID only."));
                    ImportResponse { state: Value::Null, diags }
                })
            }
        }
    }
    /// Rewrites a state stored under an older schema `version` (as JSON) into the current shape;
    /// attributes the schema no longer has are dropped afterwards. Default: unchanged.
    fn upgrade_state(&self, _version: i64, state: serde_json::Value) -> Result<serde_json::Value, Diagnostics> {
        Ok(state)
    }
    /// The resource's identity, if it has one (Terraform 1.12+).
    fn identity(&self) -> Option<&dyn Identity> {
        None
    }
    /// The resource types (of any provider) whose state [`move_state`](Resource::move_state)
    /// takes, e.g. `["aws_vpc_endpoint"]`. When a resource lists any, the server advertises the
    /// MoveResourceState capability (without it Terraform refuses such `moved` blocks itself),
    /// and it answers moves from unlisted types with an error naming the listed ones.
    fn move_sources(&self) -> &[&'static str] {
        &[]
    }
    /// Converts the state of another resource type (one of [`move_sources`](Resource::move_sources))
    /// into this one's, for `moved { from = OTHER.x  to = THIS.x }` (Terraform 1.8+). Terraform
    /// calls this before it configures the provider: there is no client, the conversion works
    /// from the source state alone; the next plan refreshes the moved state with
    /// [`read`](Resource::read) as usual. Check the source's provider address too (a type name of
    /// another provider may mean something else). Default: refused.
    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        let mut diags = Diagnostics::new();
        diags.error(
            "Move not supported",
            format!(
                "{} cannot take the state of {} ({}): remove the `moved` block and import the object instead.",
                self.type_name(),
                req.source_type_name,
                req.source_provider_address
            ),
        );
        MoveResponse::refused(diags)
    }
}

/// The plan of a resource that adds nothing to the planner: [`plan`](crate::plan::plan) of Terraform's proposal.
pub fn default_plan(schema: &Schema, req: &PlanRequest) -> PlanResponse {
    let p = crate::plan::plan(&schema.block, &req.prior, &req.proposed, &req.config, Vec::new());
    PlanResponse { planned: p.value, requires_replace: p.replace, diags: Diagnostics::new(), planned_private: None }
}

/// One attribute of a resource identity.
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    /// The attribute's name.
    pub name: &'static str,
    /// Its type (a primitive or a list of one).
    pub ty: Type,
    /// What it is.
    pub description: &'static str,
    /// An import by identity must set it.
    pub required_for_import: bool,
    /// An import by identity may set it.
    pub optional_for_import: bool,
}

impl IdentityAttribute {
    /// An attribute an import by identity must set.
    pub fn required(name: &'static str, ty: Type, description: &'static str) -> Self {
        IdentityAttribute { name, ty, description, required_for_import: true, optional_for_import: false }
    }
    /// An attribute an import by identity may set.
    pub fn optional(name: &'static str, ty: Type, description: &'static str) -> Self {
        IdentityAttribute { name, ty, description, required_for_import: false, optional_for_import: true }
    }
}

/// The schema of a resource identity: its version and attributes (primitives or lists of them).
#[derive(Clone, Debug, Default)]
pub struct IdentitySchema {
    /// The identity schema's version.
    pub version: i64,
    /// The attributes.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// The cty object type of identity values.
    pub fn ty(&self) -> Type {
        Type::Object(self.attributes.iter().map(|a| (a.name.to_string(), a.ty.clone())).collect())
    }

    /// The identity schema as the protocol sends it.
    pub fn to_proto(&self) -> pb::ResourceIdentitySchema {
        pb::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| pb::resource_identity_schema::IdentityAttribute {
                    name: a.name.to_string(),
                    r#type: a.ty.to_json(),
                    required_for_import: a.required_for_import,
                    optional_for_import: a.optional_for_import,
                    description: a.description.to_string(),
                })
                .collect(),
        }
    }
}

/// A resource identity: the attributes that name a remote object (Terraform 1.12+), sent with
/// every state, used by `import` blocks with `identity` and by list resources.
pub trait Identity: Send + Sync {
    /// The identity's schema.
    fn schema(&self) -> &IdentitySchema;
    /// The identity of the object held in `state` (a non-null state).
    fn of(&self, state: &Value) -> Value;
    /// Rewrites an identity stored under an older schema `version` (as JSON). Default: unchanged.
    fn upgrade(&self, _version: i64, identity: serde_json::Value) -> Result<serde_json::Value, Diagnostics> {
        Ok(identity)
    }
    /// The import ID for an identity (import blocks that give `identity` instead of `id`);
    /// `None`: such imports are refused.
    fn import_id(&self, _identity: &Value) -> Option<String> {
        None
    }
}

// ---------------------------------------------------------------------------
// Data sources, list resources, functions
// ---------------------------------------------------------------------------

/// A data source (`data "TYPE" "name" { ... }`).
pub trait DataSource<C>: Send + Sync {
    /// The data source type name.
    fn type_name(&self) -> &'static str;
    /// The data source's schema.
    fn schema(&self) -> &Schema;
    /// Static checks of the configuration (no remote calls); by default none.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Reads the data: `new_state` is the configuration with its computed attributes filled in.
    fn read<'a>(&'a self, ctx: &'a C, config: Value) -> BoxFuture<'a, ReadResponse>;
}

/// ListResource (`terraform query`): what to list.
pub struct ListRequest {
    /// The `list` block's `config`, decoded with [`ListResource::schema`].
    pub config: Value,
    /// Whether Terraform wants each object's full state (`include_resource = true`).
    pub include_resource: bool,
    /// The most items Terraform wants (the server stops the stream there too).
    pub limit: i64,
}

/// One object found by a list resource.
#[derive(Default)]
pub struct ListItem {
    /// Its identity (of the managed resource's [`Identity`] schema).
    pub identity: Value,
    /// What Terraform shows for it.
    pub display_name: String,
    /// Its state, when [`ListRequest::include_resource`] is set.
    pub resource: Option<Value>,
    /// Errors and warnings about it.
    pub diags: Diagnostics,
}

/// A list resource (`list "TYPE" "name" { ... }` in `.tfquery.hcl` files, `terraform query`):
/// finds existing objects of the managed resource of the same type name, which must have an
/// [`Identity`].
pub trait ListResource<C>: Send + Sync {
    /// The list resource's type name (that of the managed resource it lists).
    fn type_name(&self) -> &'static str;
    /// The schema of the `list` block's `config`.
    fn schema(&self) -> &Schema;
    /// Static checks of the `config` block; by default none.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// The objects found, as a stream: the server forwards each item as it comes.
    fn list<'a>(&'a self, ctx: &'a C, req: ListRequest) -> BoxStream<'a, ListItem>;
}

/// A function parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// The parameter's name.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// What it is.
    pub description: &'static str,
    /// Whether null may be passed (else Terraform refuses the call).
    pub allow_null: bool,
    /// Whether unknown values are passed (else Terraform answers unknown without calling).
    pub allow_unknown: bool,
}

impl Parameter {
    /// A parameter.
    pub fn new(name: &'static str, ty: Type, description: &'static str) -> Self {
        Parameter { name, ty, description, allow_null: false, allow_unknown: false }
    }

    fn to_proto(&self) -> pb::function::Parameter {
        pb::function::Parameter {
            name: self.name.to_string(),
            r#type: self.ty.to_json(),
            allow_null_value: self.allow_null,
            allow_unknown_values: self.allow_unknown,
            description: self.description.to_string(),
            description_kind: pb::StringKind::Markdown as i32,
        }
    }
}

/// What a function takes and returns.
#[derive(Clone, Debug)]
pub struct Signature {
    /// A one-line summary.
    pub summary: &'static str,
    /// What the function does.
    pub description: &'static str,
    /// The parameters, in order.
    pub parameters: Vec<Parameter>,
    /// Zero or more further arguments of this parameter's type.
    pub variadic: Option<Parameter>,
    /// The type it returns.
    pub returns: Type,
}

impl Signature {
    /// The function's signature as the protocol sends it.
    pub fn to_proto(&self) -> pb::Function {
        pb::Function {
            parameters: self.parameters.iter().map(Parameter::to_proto).collect(),
            variadic_parameter: self.variadic.as_ref().map(Parameter::to_proto),
            r#return: Some(pb::function::Return { r#type: self.returns.to_json() }),
            summary: self.summary.to_string(),
            description: self.description.to_string(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecation_message: String::new(),
        }
    }

    /// The type of argument `i`.
    pub fn argument_type(&self, i: usize) -> Option<&Type> {
        self.parameters.get(i).map(|p| &p.ty).or(self.variadic.as_ref().map(|p| &p.ty))
    }
}

/// Why a function call failed: shown by Terraform, at the argument when one is given.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionError {
    /// What is wrong.
    pub text: String,
    /// The 0-based argument the error is about.
    pub argument: Option<i64>,
}

impl FunctionError {
    /// An error about the call as a whole.
    pub fn new(text: impl Into<String>) -> Self {
        FunctionError { text: text.into(), argument: None }
    }
    /// An error about the 0-based argument `argument`.
    pub fn at(argument: usize, text: impl Into<String>) -> Self {
        FunctionError { text: text.into(), argument: Some(i64::try_from(argument).unwrap_or(i64::MAX)) }
    }
}

/// A provider-defined function (`provider::NAME::FUNCTION(...)`, Terraform 1.8+). Functions get
/// no context: Terraform may call them before configuring the provider.
pub trait Function: Send + Sync {
    /// The function's name.
    fn name(&self) -> &'static str;
    /// Its signature.
    fn signature(&self) -> &Signature;
    /// Calls the function with arguments of the signature's types.
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}
