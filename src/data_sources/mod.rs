//! The data sources: one file per data source with its typed model and schema beside its read.
//! - [`service`]: `vpce_service`, an endpoint service (types, AZs, DNS names, the gateway prefix list);
//! - [`endpoint`]: `vpce_endpoint`, one existing VPC endpoint by id or filters.

use futures::future::BoxFuture;

use crate::context::Ctx;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::model::{self, Field, Model};
use crate::protocol::resource::ReadResponse;
use crate::protocol::schema::Schema;
use crate::protocol::values::Value;

pub(crate) mod endpoint;
pub(crate) mod service;

/// A data source of this provider: tfplugin's data source trait with this provider's
/// [`Ctx`](crate::context::Ctx).
pub(crate) use crate::protocol::resource::DataSource;

/// Decodes a configuration into its model (`None` when null); a value of another shape is an
/// error diagnostic.
pub(crate) fn decode<M: Model>(v: &Value) -> Result<Option<M>, Diagnostics> {
    M::decode(v).map_err(|e| model::diagnostics(&e, "configuration"))
}

/// What each data source of this provider is made of: its typed model, its static checks and its
/// read. [`Typed`] turns it into tfplugin's [`DataSource`] (decoding, checks before the read).
pub(crate) trait TypedDataSource: Send + Sync + 'static {
    type Model: Model + Send + Sync;
    const TYPE_NAME: &'static str;
    /// Static checks of the configuration (it may hold unknown values).
    fn validate(config: &Self::Model) -> Diagnostics;
    /// The configuration with its computed attributes filled in; `None` (with errors in `diags`)
    /// when nothing was found.
    fn read<'a>(ctx: &'a Ctx, config: &'a Self::Model, diags: &'a mut Diagnostics) -> BoxFuture<'a, Option<Self::Model>>;
}

/// A [`TypedDataSource`] as tfplugin's [`DataSource`].
pub(crate) struct Typed<D> {
    schema: Schema,
    _source: std::marker::PhantomData<fn() -> D>,
}

impl<D: TypedDataSource> Typed<D> {
    pub(crate) fn new() -> Self {
        Typed { schema: D::Model::schema(0), _source: std::marker::PhantomData }
    }
}

impl<D: TypedDataSource> Default for Typed<D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<D: TypedDataSource> DataSource<Ctx> for Typed<D> {
    fn type_name(&self) -> &'static str {
        D::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        match decode::<D::Model>(config) {
            Ok(Some(c)) => D::validate(&c),
            Ok(None) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    fn read<'a>(&'a self, ctx: &'a Ctx, config: Value) -> BoxFuture<'a, ReadResponse> {
        Box::pin(async move {
            let config = match decode::<D::Model>(&config) {
                Ok(Some(c)) => c,
                Ok(None) => return ReadResponse::default(),
                Err(diags) => return ReadResponse { new_state: Value::Null, diags },
            };
            let mut diags = D::validate(&config);
            if diags.has_errors() {
                return ReadResponse { new_state: Value::Null, diags };
            }
            match D::read(ctx, &config, &mut diags).await {
                Some(state) => ReadResponse { new_state: state.to_value(), diags },
                None => ReadResponse { new_state: Value::Null, diags },
            }
        })
    }
}
