//! The typed contract: resources, data sources and list resources written against their
//! [`Model`] instead of raw [`Value`]s, and [`Typed`], the one adapter that turns each into the
//! server's trait ([`Resource`], [`DataSource`], [`ListResource`]).
//!
//! The adapter does what terraform-plugin-framework's `fwserver` does once for every resource:
//! it decodes the values (a value that does not fit the model is an error diagnostic, "Provider
//! bug: unexpected value"), runs the static checks, and dispatches ApplyResourceChange to
//! [`create`](TypedResource::create), [`update`](TypedResource::update) or
//! [`delete`](TypedResource::delete). A resource never decodes a raw value nor matches
//! `(prior, planned)` itself.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::OnceLock;

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};

use crate::diagnostics::Diagnostics;
use crate::model::{self, Field, Model};

use crate::resource::{
    default_plan, ApplyRequest, ApplyResponse, DataSource, Identity, ImportResponse, ListItem, ListRequest, ListResource, MoveRequest,
    MoveResponse, PlanRequest, PlanResponse, ReadResponse, Resource,
};
use crate::schema::Schema;
use crate::values::Value;

/// Decodes a request value into its model (`None` when null); a value of another shape is an
/// error diagnostic naming `what` ("configuration", "prior state", ...).
pub fn decode<M: Model>(v: &Value, what: &str) -> Result<Option<M>, Diagnostics> {
    M::decode(v).map_err(|e| model::diagnostics(&e, what))
}

/// Validates `config` decoded as `M`: the declared checks of its attributes
/// ([`Model::check_declared`]), then `check`; nothing for a null configuration, the decode errors
/// for a value of another shape.
fn validate_decoded<M: Model>(config: &Value, what: &str, check: impl FnOnce(&M) -> Diagnostics) -> Diagnostics {
    match decode::<M>(config, what) {
        Ok(Some(c)) => validate_model(&c, check),
        Ok(None) => Diagnostics::new(),
        Err(d) => d,
    }
}

/// The declared checks of `m`'s attributes, then `check`.
fn validate_model<M: Model>(m: &M, check: impl FnOnce(&M) -> Diagnostics) -> Diagnostics {
    let mut diags = Diagnostics::new();
    m.check_declared(&[], &mut diags);
    diags.extend(check(m));
    diags
}

/// [`decode`] of three values; the diagnostics of all that fail.
#[allow(clippy::type_complexity)]
fn decode3<M: Model>(values: [(&Value, &str); 3]) -> Result<(Option<M>, Option<M>, Option<M>), Diagnostics> {
    let [a, b, c] = values.map(|(v, what)| decode::<M>(v, what));
    match (a, b, c) {
        (Ok(a), Ok(b), Ok(c)) => Ok((a, b, c)),
        (a, b, c) => {
            let mut diags = Diagnostics::new();
            for d in [a.err(), b.err(), c.err()].into_iter().flatten() {
                diags.extend(d);
            }
            Err(diags)
        }
    }
}

/// A plan request, decoded: a resource gets it only when the object is to exist (not for a
/// destroy).
pub struct TypedPlanRequest<'a, M> {
    /// `None` on create.
    pub prior: Option<M>,
    /// The configuration.
    pub config: M,
    /// The values as Terraform sent them, for the planner ([`crate::plan::plan`]).
    pub raw: &'a PlanRequest,
}

/// What a typed read found.
pub enum Read<M> {
    /// The object as it now is, with the read's diagnostics (warnings).
    Found(M, Diagnostics),
    /// The object no longer exists: it leaves the state.
    Gone,
    /// The read failed: the state stays as it was, with these diagnostics.
    Failed(Diagnostics),
}

/// A managed resource written against its model. [`Typed`] makes it a [`Resource`].
pub trait TypedResource<C: Sync>: Send + Sync + 'static {
    /// The state, plan and configuration of the resource.
    type Model: Model + Default + Send + Sync;
    /// The resource type, `example_thing`.
    fn type_name(&self) -> &'static str;
    /// The schema; by default the model's (version 0).
    fn schema(&self) -> Schema {
        Self::Model::schema(0)
    }
    /// Static checks of the configuration (it may hold unknown values; no API calls).
    fn validate(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }
    /// The planned new state when the object is to exist (create or update); a destroy plans
    /// null without asking. Default: [`default_plan`] of Terraform's proposal.
    fn plan(&self, _ctx: &C, req: TypedPlanRequest<'_, Self::Model>) -> impl Future<Output = PlanResponse> + Send {
        let resp = default_plan(&self.schema(), req.raw);
        async move { resp }
    }
    /// Creates the object `planned` describes.
    fn create(&self, ctx: &C, planned: Self::Model, config: Self::Model) -> impl Future<Output = ApplyResponse> + Send;
    /// Refreshes the object of `state`.
    fn read(&self, ctx: &C, state: Self::Model) -> impl Future<Output = Read<Self::Model>> + Send;
    /// Changes the object of `prior` in place to `planned`.
    fn update(&self, ctx: &C, prior: Self::Model, planned: Self::Model, config: Self::Model) -> impl Future<Output = ApplyResponse> + Send;
    /// Deletes the object of `prior`.
    fn delete(&self, ctx: &C, prior: Self::Model) -> impl Future<Output = ApplyResponse> + Send;
    /// `terraform import` / `import` blocks. Default: not importable.
    fn import(&self, _ctx: &C, _id: String) -> impl Future<Output = ImportResponse> + Send {
        let type_name = self.type_name();
        async move {
            let mut diags = Diagnostics::new();
            diags.error("Import not supported", format!("{type_name} cannot be imported."));
            ImportResponse { state: Value::Null, diags }
        }
    }
    /// `import` blocks with an `identity`. Default: [`Identity::import_id`], then
    /// [`import`](TypedResource::import).
    fn import_identity(&self, ctx: &C, identity: Value) -> impl Future<Output = ImportResponse> + Send {
        let id = self.identity().and_then(|i| i.import_id(&identity));
        let type_name = self.type_name();
        async move {
            match id {
                Some(id) => self.import(ctx, id).await,
                None => {
                    let mut diags = Diagnostics::new();
                    diags.error("Import by identity not supported", format!("{type_name} is imported by ID only."));
                    ImportResponse { state: Value::Null, diags }
                }
            }
        }
    }
    /// See [`Resource::upgrade_state`].
    fn upgrade_state(&self, _version: i64, state: serde_json::Value) -> Result<serde_json::Value, Diagnostics> {
        Ok(state)
    }
    /// See [`Resource::identity`].
    fn identity(&self) -> Option<&dyn Identity> {
        None
    }
    /// See [`Resource::move_sources`].
    fn move_sources(&self) -> &[&'static str] {
        &[]
    }
    /// See [`Resource::move_state`]. Default: refused.
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

/// A data source written against its model. [`Typed`] makes it a [`DataSource`].
pub trait TypedDataSource<C: Sync>: Send + Sync + 'static {
    /// The configuration, and the result with its computed attributes filled in.
    type Model: Model + Send + Sync;
    /// The data source type, `example_thing`.
    fn type_name(&self) -> &'static str;
    /// The schema; by default the model's (version 0).
    fn schema(&self) -> Schema {
        Self::Model::schema(0)
    }
    /// Static checks of the configuration (it may hold unknown values). They run again before
    /// the read; errors stop it.
    fn validate(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }
    /// The configuration with its computed attributes filled in; `None` (with errors in `diags`)
    /// when nothing was found.
    fn read<'a>(
        &'a self,
        ctx: &'a C,
        config: &'a Self::Model,
        diags: &'a mut Diagnostics,
    ) -> impl Future<Output = Option<Self::Model>> + Send + 'a;
}

/// A list request, decoded.
pub struct TypedListRequest<M> {
    /// The `list` block's `config` (the model's default when it has none).
    pub config: M,
    /// See [`ListRequest::include_resource`].
    pub include_resource: bool,
    /// See [`ListRequest::limit`].
    pub limit: i64,
}

/// A list resource written against the model of its `config`. [`Typed`] makes it a
/// [`ListResource`].
pub trait TypedListResource<C: Sync>: Send + Sync + 'static {
    /// The `config` block of the `list` block.
    type Model: Model + Default + Send + Sync;
    /// The type name (that of the managed resource it lists).
    fn type_name(&self) -> &'static str;
    /// The schema; by default the model's (version 0).
    fn schema(&self) -> Schema {
        Self::Model::schema(0)
    }
    /// Static checks of the configuration.
    fn validate(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }
    /// The objects found, as a stream.
    fn list<'a>(&'a self, ctx: &'a C, req: TypedListRequest<Self::Model>) -> BoxStream<'a, ListItem>;
}

/// The adapter of every typed resource, data source and list resource: `Typed::new(thing)` is a
/// [`Resource`], [`DataSource`] or [`ListResource`] for a [`TypedResource`],
/// [`TypedDataSource`] or [`TypedListResource`].
pub struct Typed<T, C> {
    inner: T,
    schema: OnceLock<Schema>,
    _context: PhantomData<fn() -> C>,
}

impl<T, C> Typed<T, C> {
    /// The adapter of `inner`.
    pub fn new(inner: T) -> Self {
        Typed { inner, schema: OnceLock::new(), _context: PhantomData }
    }
    /// What it adapts.
    pub fn inner(&self) -> &T {
        &self.inner
    }
}

impl<T: Default, C> Default for Typed<T, C> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<C: Sync + 'static, R: TypedResource<C>> Resource<C> for Typed<R, C> {
    fn type_name(&self) -> &'static str {
        self.inner.type_name()
    }

    fn schema(&self) -> &Schema {
        self.schema.get_or_init(|| self.inner.schema())
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate_decoded::<R::Model>(config, "configuration", |c| self.inner.validate(c))
    }

    fn plan<'a>(&'a self, ctx: &'a C, req: PlanRequest) -> BoxFuture<'a, PlanResponse> {
        Box::pin(async move {
            let decoded =
                decode3::<R::Model>([(&req.prior, "prior state"), (&req.proposed, "proposed state"), (&req.config, "configuration")]);
            match decoded {
                Ok((prior, Some(_), Some(config))) => self.inner.plan(ctx, TypedPlanRequest { prior, config, raw: &req }).await,
                Ok(_) => PlanResponse::default(),
                Err(diags) => PlanResponse { diags, ..Default::default() },
            }
        })
    }

    fn apply<'a>(&'a self, ctx: &'a C, req: ApplyRequest) -> BoxFuture<'a, ApplyResponse> {
        Box::pin(async move {
            let (prior, planned, config) =
                match decode3::<R::Model>([(&req.prior, "prior state"), (&req.planned, "planned state"), (&req.config, "configuration")]) {
                    Ok(v) => v,
                    Err(diags) => return ApplyResponse { new_state: req.prior, diags },
                };
            match (prior, planned) {
                (Some(prior), None) => self.inner.delete(ctx, prior).await,
                (None, None) => ApplyResponse::default(),
                (None, Some(planned)) => self.inner.create(ctx, planned, config.unwrap_or_default()).await,
                (Some(prior), Some(planned)) => self.inner.update(ctx, prior, planned, config.unwrap_or_default()).await,
            }
        })
    }

    fn read<'a>(&'a self, ctx: &'a C, state: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move {
            let current = match decode::<R::Model>(&state, "state") {
                Ok(Some(current)) => current,
                Ok(None) => return ReadResponse::default(),
                Err(diags) => return ReadResponse { new_state: state, diags },
            };
            match self.inner.read(ctx, current).await {
                Read::Found(m, diags) => ReadResponse { new_state: m.to_value(), diags },
                Read::Gone => ReadResponse::default(),
                Read::Failed(diags) => ReadResponse { new_state: state, diags },
            }
        })
    }

    fn import<'a>(&'a self, ctx: &'a C, id: String) -> BoxFuture<'a, ImportResponse> {
        Box::pin(self.inner.import(ctx, id))
    }

    fn import_identity<'a>(&'a self, ctx: &'a C, identity: Value) -> BoxFuture<'a, ImportResponse> {
        Box::pin(self.inner.import_identity(ctx, identity))
    }

    fn upgrade_state(&self, version: i64, state: serde_json::Value) -> Result<serde_json::Value, Diagnostics> {
        self.inner.upgrade_state(version, state)
    }

    fn identity(&self) -> Option<&dyn Identity> {
        self.inner.identity()
    }

    fn move_sources(&self) -> &[&'static str] {
        self.inner.move_sources()
    }

    fn move_state(&self, req: MoveRequest) -> MoveResponse {
        self.inner.move_state(req)
    }
}

impl<C: Sync + 'static, D: TypedDataSource<C>> DataSource<C> for Typed<D, C> {
    fn type_name(&self) -> &'static str {
        self.inner.type_name()
    }

    fn schema(&self) -> &Schema {
        self.schema.get_or_init(|| self.inner.schema())
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate_decoded::<D::Model>(config, "configuration", |c| self.inner.validate(c))
    }

    fn read<'a>(&'a self, ctx: &'a C, config: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move {
            let config = match decode::<D::Model>(&config, "configuration") {
                Ok(Some(c)) => c,
                Ok(None) => return ReadResponse::default(),
                Err(diags) => return ReadResponse { new_state: Value::Null, diags },
            };
            let mut diags = validate_model(&config, |c| self.inner.validate(c));
            if diags.has_errors() {
                return ReadResponse { new_state: Value::Null, diags };
            }
            match self.inner.read(ctx, &config, &mut diags).await {
                Some(state) => ReadResponse { new_state: state.to_value(), diags },
                None => ReadResponse { new_state: Value::Null, diags },
            }
        })
    }
}

impl<C: Sync + 'static, L: TypedListResource<C>> ListResource<C> for Typed<L, C> {
    fn type_name(&self) -> &'static str {
        self.inner.type_name()
    }

    fn schema(&self) -> &Schema {
        self.schema.get_or_init(|| self.inner.schema())
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate_decoded::<L::Model>(config, "list configuration", |c| self.inner.validate(c))
    }

    fn list<'a>(&'a self, ctx: &'a C, req: ListRequest) -> BoxStream<'a, ListItem> {
        match decode::<L::Model>(&req.config, "list configuration") {
            Ok(c) => self
                .inner
                .list(ctx, TypedListRequest { config: c.unwrap_or_default(), include_resource: req.include_resource, limit: req.limit }),
            Err(diags) => stream::iter([ListItem { diags, ..Default::default() }]).boxed(),
        }
    }
}
