//! The registry: every resource, data source, list resource and function of a provider, by name.
//! The [`Server`](crate::server::Server) dispatches each RPC on it.
//!
//! ```ignore
//! Registry::new().resource(Thing::new()).data_source(Things::new()).function(Reverse::new())
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::resource::{DataSource, Function, ListResource, Resource};

/// The resources, data sources, list resources and functions a provider serves, by type name (`C`: the context their calls get).
pub struct Registry<C> {
    resources: BTreeMap<&'static str, Arc<dyn Resource<C>>>,
    data_sources: BTreeMap<&'static str, Arc<dyn DataSource<C>>>,
    list_resources: BTreeMap<&'static str, Arc<dyn ListResource<C>>>,
    functions: BTreeMap<&'static str, Arc<dyn Function>>,
}

impl<C> Default for Registry<C> {
    fn default() -> Self {
        Registry { resources: BTreeMap::new(), data_sources: BTreeMap::new(), list_resources: BTreeMap::new(), functions: BTreeMap::new() }
    }
}

fn add<T: ?Sized>(map: &mut BTreeMap<&'static str, Arc<T>>, what: &str, name: &'static str, item: Arc<T>) {
    // A programming error, found by the first test that builds the registry.
    assert!(map.insert(name, item).is_none(), "two {what}s are registered as \"{name}\"");
}

impl<C: 'static> Registry<C> {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a managed resource. Panics if its type name is taken.
    pub fn resource(mut self, r: impl Resource<C> + 'static) -> Self {
        add(&mut self.resources, "resource", r.type_name(), Arc::new(r));
        self
    }

    /// Adds a data source. Panics if its type name is taken.
    pub fn data_source(mut self, d: impl DataSource<C> + 'static) -> Self {
        add(&mut self.data_sources, "data source", d.type_name(), Arc::new(d));
        self
    }

    /// Adds a list resource (for the managed resource of the same type name, which needs an
    /// identity). Panics if its type name is taken.
    pub fn list_resource(mut self, l: impl ListResource<C> + 'static) -> Self {
        add(&mut self.list_resources, "list resource", l.type_name(), Arc::new(l));
        self
    }

    /// Adds a function. Panics if its name is taken.
    pub fn function(mut self, f: impl Function + 'static) -> Self {
        add(&mut self.functions, "function", f.name(), Arc::new(f));
        self
    }
}

impl<C> Registry<C> {
    /// The managed resources, by type name.
    pub fn resources(&self) -> Vec<Arc<dyn Resource<C>>> {
        self.resources.values().cloned().collect()
    }

    /// The resource of this type name.
    pub fn resource_named(&self, name: &str) -> Option<&Arc<dyn Resource<C>>> {
        self.resources.get(name)
    }

    /// The data sources, in type-name order.
    pub fn data_sources(&self) -> Vec<Arc<dyn DataSource<C>>> {
        self.data_sources.values().cloned().collect()
    }

    /// The data source of this type name.
    pub fn data_source_named(&self, name: &str) -> Option<&Arc<dyn DataSource<C>>> {
        self.data_sources.get(name)
    }

    /// The list resources, in type-name order.
    pub fn list_resources(&self) -> Vec<Arc<dyn ListResource<C>>> {
        self.list_resources.values().cloned().collect()
    }

    /// The list resource of this type name.
    pub fn list_resource_named(&self, name: &str) -> Option<&Arc<dyn ListResource<C>>> {
        self.list_resources.get(name)
    }

    /// The provider functions, in name order.
    pub fn functions(&self) -> Vec<Arc<dyn Function>> {
        self.functions.values().cloned().collect()
    }

    /// The function of this name.
    pub fn function_named(&self, name: &str) -> Option<&Arc<dyn Function>> {
        self.functions.get(name)
    }

    pub(crate) fn resource_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.resources.keys().copied()
    }

    pub(crate) fn data_source_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.data_sources.keys().copied()
    }

    pub(crate) fn list_resource_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.list_resources.keys().copied()
    }
}
