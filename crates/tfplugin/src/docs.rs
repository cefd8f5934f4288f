//! Registry documentation generated from the schemas, as HashiCorp's tfplugindocs does for Go
//! providers: one Markdown page per resource and data source, and the provider page, built from the
//! schema descriptions plus hand-written files under an examples directory.
//!
//! Files read, all optional (tfplugindocs' layout, plus three Markdown fragments for prose that does
//! not belong in a schema description):
//!
//! ```text
//! examples/provider/provider.tf                      "Example Usage" of docs/index.md
//! examples/provider/overview.md, notes.md            prose after the description / after the schema
//! examples/resources/<type>/resource.tf              "Example Usage" of docs/resources/<type>.md
//! examples/resources/<type>/overview.md              prose after the description
//! examples/resources/<type>/notes.md                 sections after the schema
//! examples/resources/<type>/import.md                prose opening the "Import" section
//! examples/resources/<type>/import.tf, import.sh     `import` block, `terraform import` command
//! examples/resources/<type>/import-by-identity.tf    `import` block with `identity` (Terraform 1.12+)
//! examples/data-sources/<type>/data-source.tf        "Example Usage" of docs/data-sources/<type>.md
//! examples/data-sources/<type>/overview.md, notes.md
//! examples/list-resources/<type>/list-resource.tfquery.hcl
//!                                                    "Example Usage" of docs/list-resources/<type>.md
//! examples/list-resources/<type>/overview.md, notes.md
//! ```
//!
//! Attributes are listed by name (sorted, so the page does not depend on the order a schema is
//! written in) under Required / Optional / Read-Only, nested blocks and object attributes in their
//! own sections with anchors (`#nestedblock--timeouts`, `#nestedatt--dns_entry`), as tfplugindocs
//! does, so registry links keep working.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use super::values::Type;

/// What a page documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A resource.
    Resource,
    /// A data source.
    DataSource,
    /// A list resource of `terraform query` (its schema is that of the `list` block's `config`).
    ListResource,
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::Resource => "Resource",
            Kind::DataSource => "Data Source",
            Kind::ListResource => "List Resource",
        }
    }
    /// (directory under docs/, directory under examples/, example file name)
    fn dirs(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Resource => ("resources", "resources", "resource.tf"),
            Kind::DataSource => ("data-sources", "data-sources", "data-source.tf"),
            Kind::ListResource => ("list-resources", "list-resources", "list-resource.tfquery.hcl"),
        }
    }
}

/// Everything the generator needs to know about a provider.
pub struct Provider<'a> {
    /// The provider's local name, e.g. `aws` (page titles, `docs/index.md`).
    pub name: &'a str,
    /// The provider block's schema.
    pub schema: &'a Schema,
    /// (type name, schema) of each resource.
    pub resources: Vec<(&'a str, &'a Schema)>,
    /// (type name, schema) of each data source.
    pub data_sources: Vec<(&'a str, &'a Schema)>,
    /// (type name, schema of the `config` block) of each list resource.
    pub list_resources: Vec<(&'a str, &'a Schema)>,
    /// The directory holding `provider/`, `resources/<type>/`, `data-sources/<type>/`.
    pub examples: &'a Path,
    /// Written into every page's front matter as a YAML comment: how to regenerate it.
    pub generated_by: &'a str,
}

/// One generated page: its path relative to the docs directory, and its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The page's path, relative to the docs directory.
    pub path: PathBuf,
    /// The page's Markdown.
    pub content: String,
}

/// Why a file under the docs directory does not match the generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stale {
    /// A page the generator makes is not on disk.
    Missing(PathBuf),
    /// A page on disk differs from what the generator makes.
    Differs(PathBuf),
    /// A page under a generated directory (`resources/`, `data-sources/`, `list-resources/`)
    /// nothing generates.
    Extra(PathBuf),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Missing(p) => write!(f, "{} is missing", p.display()),
            Stale::Differs(p) => write!(f, "{} differs from what the generator writes", p.display()),
            Stale::Extra(p) => write!(f, "{} documents nothing the provider has (a removed or renamed type?)", p.display()),
        }
    }
}

impl Provider<'_> {
    /// Every page: `index.md`, then `resources/*.md`, `data-sources/*.md` and `list-resources/*.md`.
    pub fn pages(&self) -> io::Result<Vec<Page>> {
        let mut pages = vec![Page { path: PathBuf::from("index.md"), content: self.provider_page()? }];
        let kinds = [(Kind::Resource, &self.resources), (Kind::DataSource, &self.data_sources), (Kind::ListResource, &self.list_resources)];
        for (kind, list) in kinds {
            for (name, schema) in list {
                let content = self.type_page(kind, name, schema)?;
                pages.push(Page { path: Path::new(kind.dirs().0).join(format!("{name}.md")), content });
            }
        }
        Ok(pages)
    }

    fn provider_page(&self) -> io::Result<String> {
        let dir = self.examples.join("provider");
        let mut out = front_matter(&format!("{} Provider", self.name), self.schema.block.description, self.generated_by);
        let _ = writeln!(out, "# {} Provider\n", self.name);
        paragraph(&mut out, self.schema.block.description);
        paragraph(&mut out, &read_optional(&dir.join("overview.md"))?);
        example_usage(&mut out, &read_optional(&dir.join("provider.tf"))?);
        out.push_str(&render_schema(self.schema));
        paragraph(&mut out, &read_optional(&dir.join("notes.md"))?);
        Ok(finish(out))
    }

    fn type_page(&self, kind: Kind, name: &str, schema: &Schema) -> io::Result<String> {
        let (_, examples_dir, example_file) = kind.dirs();
        let dir = self.examples.join(examples_dir).join(name);
        let description = &schema.block.description;
        let mut out = front_matter(&format!("{name} {} - {}", kind.title(), self.name), description, self.generated_by);
        let _ = writeln!(out, "# {name} ({})\n", kind.title());
        paragraph(&mut out, description);
        paragraph(&mut out, &read_optional(&dir.join("overview.md"))?);
        example_usage(&mut out, &read_optional(&dir.join(example_file))?);
        out.push_str(&render_schema(schema));
        paragraph(&mut out, &read_optional(&dir.join("notes.md"))?);
        if kind == Kind::Resource {
            let prose = read_optional(&dir.join("import.md"))?;
            let block = read_optional(&dir.join("import.tf"))?;
            let by_identity = read_optional(&dir.join("import-by-identity.tf"))?;
            let command = strip_shebang(&read_optional(&dir.join("import.sh"))?);
            if !(prose.is_empty() && block.is_empty() && by_identity.is_empty() && command.is_empty()) {
                out.push_str("## Import\n\n");
                paragraph(&mut out, &prose);
                if !by_identity.is_empty() {
                    out.push_str("In Terraform v1.12.0 and later, the [`import` block](https://developer.hashicorp.com/terraform/language/import) can be used with the `identity` attribute, for example:\n\n");
                    code(&mut out, "terraform", &by_identity);
                }
                if !block.is_empty() {
                    out.push_str("In Terraform v1.5.0 and later, the [`import` block](https://developer.hashicorp.com/terraform/language/import) can be used with the `id` attribute, for example:\n\n");
                    code(&mut out, "terraform", &block);
                }
                if !command.is_empty() {
                    out.push_str("The [`terraform import` command](https://developer.hashicorp.com/terraform/cli/commands/import) can be used, for example:\n\n");
                    code(&mut out, "shell", &command);
                }
            }
        }
        Ok(finish(out))
    }
}

/// Writes the pages under `docs`, and removes pages under the generated directories that nothing
/// generates. Returns the files written or removed (those whose content changed).
pub fn write(docs: &Path, pages: &[Page]) -> io::Result<Vec<PathBuf>> {
    let mut changed = Vec::new();
    for stale in check(docs, pages)? {
        match stale {
            Stale::Missing(p) | Stale::Differs(p) => {
                let page = pages.iter().find(|page| page.path == p).expect("a stale page is one of the pages");
                let path = docs.join(&p);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::write(&path, &page.content)?;
                changed.push(p);
            }
            Stale::Extra(p) => {
                fs::remove_file(docs.join(&p))?;
                changed.push(p);
            }
        }
    }
    Ok(changed)
}

/// Compares the pages with the files under `docs`: an empty answer means the docs are up to date.
/// Only `index.md`, `resources/`, `data-sources/` and `list-resources/` are the generator's;
/// guides and other files are left alone.
pub fn check(docs: &Path, pages: &[Page]) -> io::Result<Vec<Stale>> {
    let mut stale = Vec::new();
    for page in pages {
        match fs::read_to_string(docs.join(&page.path)) {
            Ok(text) if text == page.content => {}
            Ok(_) => stale.push(Stale::Differs(page.path.clone())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => stale.push(Stale::Missing(page.path.clone())),
            Err(e) => return Err(e),
        }
    }
    for dir in [Kind::Resource.dirs().0, Kind::DataSource.dirs().0, Kind::ListResource.dirs().0] {
        let entries = match fs::read_dir(docs.join(dir)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let mut extra = Vec::new();
        for entry in entries {
            let path = Path::new(dir).join(entry?.file_name());
            if path.extension().is_some_and(|e| e == "md") && !pages.iter().any(|p| p.path == path) {
                extra.push(Stale::Extra(path));
            }
        }
        extra.sort_by_key(|s| s.to_string());
        stale.extend(extra);
    }
    Ok(stale)
}

// ---------------------------------------------------------------------------------------------
// The schema section
// ---------------------------------------------------------------------------------------------

/// The "## Schema" section of a page: top-level attributes and blocks grouped as Required /
/// Optional / Read-Only, then one anchored section per nested block or object attribute.
pub fn render_schema(schema: &Schema) -> String {
    let mut out = String::from("## Schema\n\n");
    let mut nested = Vec::new();
    for (group, items) in groups(&schema.block, &[], &mut nested) {
        let _ = writeln!(out, "### {group}\n");
        for item in items {
            let _ = writeln!(out, "{item}");
        }
        out.push('\n');
    }
    // Nested sections are rendered breadth-first as they are found: each may add its own children.
    let mut i = 0;
    while i < nested.len() {
        let section = nested[i].clone();
        let _ = writeln!(out, "<a id=\"{}\"></a>", section.anchor());
        let _ = writeln!(out, "### Nested Schema for `{}`\n", section.path.join("."));
        match &section.content {
            Nested::Block(block) => {
                let block = *block;
                for (group, items) in groups(block, &section.path, &mut nested) {
                    let _ = writeln!(out, "{group}:\n");
                    for item in items {
                        let _ = writeln!(out, "{item}");
                    }
                    out.push('\n');
                }
            }
            Nested::Object { fields, group } => {
                let _ = writeln!(out, "{group}:\n");
                for (name, ty) in fields {
                    let mut line = format!("- `{name}` ({})", type_name(ty));
                    if let Some(fields) = object_fields(ty) {
                        let mut path = section.path.clone();
                        path.push(name.clone());
                        let child = NestedSection { path, content: Nested::Object { fields, group } };
                        let _ = write!(line, " (see [below for nested schema](#{}))", child.anchor());
                        nested.push(child);
                    }
                    let _ = writeln!(out, "{line}");
                }
                out.push('\n');
            }
        }
        i += 1;
    }
    out
}

#[derive(Clone)]
enum Nested<'a> {
    Block(&'a Block),
    /// The attribute types of an object-typed attribute (or of its list/set/map elements).
    Object {
        fields: Vec<(String, Type)>,
        group: &'static str,
    },
}

#[derive(Clone)]
struct NestedSection<'a> {
    path: Vec<String>,
    content: Nested<'a>,
}

impl NestedSection<'_> {
    fn anchor(&self) -> String {
        let kind = match self.content {
            Nested::Block(_) => "nestedblock",
            Nested::Object { .. } => "nestedatt",
        };
        format!("{kind}--{}", self.path.join("--"))
    }
}

const REQUIRED: &str = "Required";
const OPTIONAL: &str = "Optional";
const READ_ONLY: &str = "Read-Only";

fn attribute_group(a: &Attribute) -> &'static str {
    if a.required {
        REQUIRED
    } else if a.optional {
        OPTIONAL
    } else {
        READ_ONLY
    }
}

fn block_group(b: &NestedBlock) -> &'static str {
    if b.min_items > 0 {
        REQUIRED
    } else if !b.block.attributes.is_empty()
        && b.block.attributes.iter().all(|a| attribute_group(a) == READ_ONLY)
        && b.block.blocks.iter().all(|c| block_group(c) == READ_ONLY)
    {
        READ_ONLY
    } else {
        OPTIONAL
    }
}

/// The list items of one block, by group (only non-empty groups), each group sorted by name.
/// Nested blocks and object attributes found on the way are appended to `nested`.
fn groups<'a>(block: &'a Block, path: &[String], nested: &mut Vec<NestedSection<'a>>) -> Vec<(&'static str, Vec<String>)> {
    struct Entry<'a> {
        name: &'static str,
        group: &'static str,
        line: String,
        child: Option<NestedSection<'a>>,
    }
    let mut entries: Vec<Entry<'a>> = Vec::new();
    for a in &block.attributes {
        let group = attribute_group(a);
        let ty = a.ty();
        let mut flags = vec![type_name(&ty)];
        if a.sensitive {
            flags.push("Sensitive".to_string());
        }
        if a.replace.is_some() {
            flags.push("Forces replacement".to_string());
        }
        if a.deprecated {
            flags.push("Deprecated".to_string());
        }
        let child =
            object_fields(&ty).map(|fields| NestedSection { path: child_path(path, a.name), content: Nested::Object { fields, group } });
        let description = with_deprecation(a.description, a.deprecation_message);
        entries.push(Entry { name: a.name, group, line: item(a.name, &flags.join(", "), &description, child.as_ref()), child });
    }
    for b in &block.blocks {
        let group = block_group(b);
        let mut flags = match b.nesting {
            Nesting::Single => format!("Block, {}", if group == READ_ONLY { "Read-only" } else { group }),
            Nesting::List => "Block List".to_string(),
            Nesting::Set => "Block Set".to_string(),
        };
        if b.nesting != Nesting::Single && b.min_items > 0 {
            let _ = write!(flags, ", Min: {}", b.min_items);
        }
        if b.max_items > 0 {
            let _ = write!(flags, ", Max: {}", b.max_items);
        }
        if b.deprecated {
            flags.push_str(", Deprecated");
        }
        let child = NestedSection { path: child_path(path, b.name), content: Nested::Block(&b.block) };
        let description = with_deprecation(b.block.description, b.deprecation_message);
        entries.push(Entry { name: b.name, group, line: item(b.name, &flags, &description, Some(&child)), child: Some(child) });
    }
    entries.sort_by(|x, y| x.name.cmp(y.name));
    let mut out = Vec::new();
    for group in [REQUIRED, OPTIONAL, READ_ONLY] {
        let items: Vec<String> = entries.iter().filter(|e| e.group == group).map(|e| e.line.clone()).collect();
        if !items.is_empty() {
            out.push((group, items));
        }
    }
    // Nested sections in the order their parents are listed.
    for group in [REQUIRED, OPTIONAL, READ_ONLY] {
        for e in entries.iter_mut().filter(|e| e.group == group) {
            if let Some(child) = e.child.take() {
                nested.push(child);
            }
        }
    }
    out
}

/// The description followed by the deprecation message, if any.
fn with_deprecation(description: &str, message: &str) -> String {
    match (description.trim(), message.trim()) {
        (d, "") => d.to_string(),
        ("", m) => format!("Deprecated: {m}"),
        (d, m) => format!("{d} Deprecated: {m}"),
    }
}

fn child_path(path: &[String], name: &str) -> Vec<String> {
    let mut p = path.to_vec();
    p.push(name.to_string());
    p
}

fn item(name: &str, flags: &str, description: &str, child: Option<&NestedSection>) -> String {
    let mut line = format!("- `{name}` ({flags})");
    let description = description.trim();
    if !description.is_empty() {
        line.push(' ');
        line.push_str(description);
    }
    if let Some(child) = child {
        let _ = write!(line, " (see [below for nested schema](#{}))", child.anchor());
    }
    line
}

/// The fields of an object type, or of the objects a list, set or map holds.
fn object_fields(ty: &Type) -> Option<Vec<(String, Type)>> {
    match ty {
        Type::Object(fields) => Some(fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Type::List(t) | Type::Set(t) | Type::Map(t) => object_fields(t),
        _ => None,
    }
}

/// A type as tfplugindocs spells it: `String`, `Set of String`, `List of Object`, ...
pub fn type_name(ty: &Type) -> String {
    match ty {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(t) => format!("List of {}", type_name(t)),
        Type::Set(t) => format!("Set of {}", type_name(t)),
        Type::Map(t) => format!("Map of {}", type_name(t)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Page pieces
// ---------------------------------------------------------------------------------------------

fn front_matter(title: &str, description: &str, generated_by: &str) -> String {
    let mut out = String::from("---\n");
    for line in generated_by.lines() {
        let _ = writeln!(out, "# {line}");
    }
    let _ = writeln!(out, "page_title: \"{}\"", title.replace('\\', "\\\\").replace('"', "\\\""));
    out.push_str("subcategory: \"\"\n");
    out.push_str("description: |-\n");
    for line in description.trim().lines() {
        let _ = writeln!(out, "  {}", line.trim_end());
    }
    out.push_str("---\n\n");
    out
}

fn example_usage(out: &mut String, example: &str) {
    if !example.is_empty() {
        out.push_str("## Example Usage\n\n");
        code(out, "terraform", example);
    }
}

fn code(out: &mut String, lang: &str, text: &str) {
    let _ = writeln!(out, "```{lang}\n{}\n```\n", text.trim_end());
}

/// Appends a block of Markdown (nothing when empty), followed by a blank line.
fn paragraph(out: &mut String, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        out.push_str(text);
        out.push_str("\n\n");
    }
}

/// One trailing newline, no trailing blank lines.
fn finish(mut out: String) -> String {
    let len = out.trim_end().len();
    out.truncate(len);
    out.push('\n');
    out
}

fn strip_shebang(text: &str) -> String {
    match text.strip_prefix("#!") {
        Some(rest) => rest.split_once('\n').map(|(_, body)| body.to_string()).unwrap_or_default(),
        None => text.to_string(),
    }
}

/// A file's text with trailing whitespace trimmed, or "" when it does not exist.
fn read_optional(path: &Path) -> io::Result<String> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text.trim_end().to_string()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        let obj = Type::Object([("b".to_string(), Type::String), ("a".to_string(), Type::Bool)].into_iter().collect());
        Schema {
            version: 0,
            block: Block {
                description: "A thing.",
                attributes: vec![
                    Attribute::computed("id", Type::String, "The ID."),
                    Attribute::required("name", Type::String, "The name.").replace_when_changed(),
                    Attribute::optional("secret", Type::String, "").sensitive().deprecated("Use `name`."),
                    Attribute::optional_computed("tags", Type::Map(Box::new(Type::String)), "Tags."),
                    Attribute::computed("entries", Type::List(Box::new(obj)), "Entries."),
                ],
                blocks: vec![
                    NestedBlock::single("timeouts", "Timeouts.", vec![Attribute::optional("create", Type::String, "Create.")]),
                    NestedBlock {
                        name: "rule",
                        nesting: Nesting::List,
                        min_items: 1,
                        max_items: 3,
                        deprecated: true,
                        deprecation_message: "",
                        block: Block {
                            description: "",
                            attributes: vec![Attribute::required("port", Type::Number, "")],
                            blocks: vec![NestedBlock::single(
                                "inner",
                                "",
                                vec![Attribute::computed("x", Type::Set(Box::new(Type::String)), "X.")],
                            )],
                        },
                    },
                ],
            },
        }
    }

    #[test]
    fn schema_groups_sorts_and_anchors() {
        let md = render_schema(&schema());
        let expected = "## Schema

### Required

- `name` (String, Forces replacement) The name.
- `rule` (Block List, Min: 1, Max: 3, Deprecated) (see [below for nested schema](#nestedblock--rule))

### Optional

- `secret` (String, Sensitive, Deprecated) Deprecated: Use `name`.
- `tags` (Map of String) Tags.
- `timeouts` (Block, Optional) Timeouts. (see [below for nested schema](#nestedblock--timeouts))

### Read-Only

- `entries` (List of Object) Entries. (see [below for nested schema](#nestedatt--entries))
- `id` (String) The ID.

<a id=\"nestedblock--rule\"></a>
### Nested Schema for `rule`

Required:

- `port` (Number)

Read-Only:

- `inner` (Block, Read-only) (see [below for nested schema](#nestedblock--rule--inner))

<a id=\"nestedblock--timeouts\"></a>
### Nested Schema for `timeouts`

Optional:

- `create` (String) Create.

<a id=\"nestedatt--entries\"></a>
### Nested Schema for `entries`

Read-Only:

- `a` (Boolean)
- `b` (String)

<a id=\"nestedblock--rule--inner\"></a>
### Nested Schema for `rule.inner`

Read-Only:

- `x` (Set of String) X.

";
        assert_eq!(md, expected);
    }

    #[test]
    fn pages_take_examples_and_prose_and_check_finds_stale_files() {
        let root = std::env::temp_dir().join(format!("docs-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let examples = root.join("examples");
        fs::create_dir_all(examples.join("provider")).unwrap();
        fs::create_dir_all(examples.join("resources/t_thing")).unwrap();
        fs::write(examples.join("provider/provider.tf"), "provider \"t\" {}\n").unwrap();
        fs::write(examples.join("resources/t_thing/resource.tf"), "resource \"t_thing\" \"x\" {\n  name = \"x\"\n}\n").unwrap();
        fs::write(examples.join("resources/t_thing/notes.md"), "## Drift\n\nIt is read back.\n").unwrap();
        fs::write(examples.join("resources/t_thing/import.sh"), "#!/bin/sh\nterraform import t_thing.x id-1\n").unwrap();
        fs::write(
            examples.join("resources/t_thing/import-by-identity.tf"),
            "import {\n  to       = t_thing.x\n  identity = { id = \"id-1\" }\n}\n",
        )
        .unwrap();
        fs::create_dir_all(examples.join("list-resources/t_thing")).unwrap();
        fs::write(examples.join("list-resources/t_thing/list-resource.tfquery.hcl"), "list \"t_thing\" \"all\" {\n  provider = t\n}\n")
            .unwrap();
        let provider_schema = Schema {
            version: 0,
            block: Block {
                description: "The t provider.",
                attributes: vec![Attribute::optional("region", Type::String, "Region.")],
                blocks: vec![],
            },
        };
        let thing = schema();
        let provider = Provider {
            name: "t",
            schema: &provider_schema,
            resources: vec![("t_thing", &thing)],
            data_sources: vec![],
            list_resources: vec![("t_thing", &thing)],
            examples: &examples,
            generated_by: "regenerate with: make docs",
        };
        let pages = provider.pages().unwrap();
        assert_eq!(
            pages.iter().map(|p| p.path.to_str().unwrap()).collect::<Vec<_>>(),
            ["index.md", "resources/t_thing.md", "list-resources/t_thing.md"]
        );
        let page = &pages[1].content;
        assert!(page.starts_with("---\n# regenerate with: make docs\npage_title: \"t_thing Resource - t\"\nsubcategory: \"\"\ndescription: |-\n  A thing.\n---\n\n# t_thing (Resource)\n\nA thing.\n\n## Example Usage\n\n```terraform\nresource \"t_thing\" \"x\" {\n  name = \"x\"\n}\n```\n\n## Schema\n"), "{page}");
        assert!(page.contains("\n## Drift\n\nIt is read back.\n\n## Import\n\nIn Terraform v1.12.0 and later, the [`import` block](https://developer.hashicorp.com/terraform/language/import) can be used with the `identity` attribute, for example:\n\n```terraform\nimport {\n  to       = t_thing.x\n  identity = { id = \"id-1\" }\n}\n```\n\nThe [`terraform import` command]"), "{page}");
        let list = &pages[2].content;
        assert!(list.contains("page_title: \"t_thing List Resource - t\""), "{list}");
        assert!(list.contains("# t_thing (List Resource)\n\nA thing.\n\n## Example Usage\n\n```terraform\nlist \"t_thing\" \"all\" {\n  provider = t\n}\n```\n\n## Schema\n"), "{list}");
        assert!(!list.contains("## Import"), "{list}");
        assert!(page.ends_with("```shell\nterraform import t_thing.x id-1\n```\n"), "{page}");
        assert!(!page.contains("with the `id` attribute"), "no import.tf, no import-by-ID block paragraph: {page}");
        assert!(pages[0].content.contains("# t Provider\n\nThe t provider.\n\n## Example Usage\n\n```terraform\nprovider \"t\" {}\n```\n\n## Schema\n\n### Optional\n\n- `region` (String) Region.\n"), "{}", pages[0].content);

        let docs = root.join("docs");
        let missing = check(&docs, &pages).unwrap();
        assert_eq!(
            missing,
            vec![
                Stale::Missing("index.md".into()),
                Stale::Missing("resources/t_thing.md".into()),
                Stale::Missing("list-resources/t_thing.md".into())
            ]
        );
        fs::create_dir_all(docs.join("guides")).unwrap();
        fs::write(docs.join("guides/hand-written.md"), "kept").unwrap();
        fs::create_dir_all(docs.join("resources")).unwrap();
        fs::write(docs.join("resources/t_gone.md"), "old").unwrap();
        let changed = write(&docs, &pages).unwrap();
        assert_eq!(changed.len(), 4, "{changed:?}");
        assert!(!docs.join("resources/t_gone.md").exists());
        assert_eq!(fs::read_to_string(docs.join("guides/hand-written.md")).unwrap(), "kept");
        assert_eq!(check(&docs, &pages).unwrap(), vec![]);
        fs::write(docs.join("index.md"), "edited by hand").unwrap();
        assert_eq!(check(&docs, &pages).unwrap(), vec![Stale::Differs("index.md".into())]);
        let _ = fs::remove_dir_all(&root);
    }
}
