//! The OpenAPI 3.1 document served at `/api/openapi.json`, built here from
//! the wire types in `revitpy-api` (they derive `ToSchema`), so a field added
//! to or renamed in an answer's type changes the document with it.
//!
//! The paths are written with utoipa's builders rather than `#[utoipa::path]`
//! attributes on the handlers, so the handlers stay plain axum functions. The
//! route table itself is `routes::build_router`; `tests/openapi.rs` checks
//! that both list the same operations, and that what real requests get back
//! (every status, every body) is what this document declares.
//!
//! Three answers are built with `json!` by their handlers and have no type
//! in `revitpy-api`: `GET /`, `GET /health` (`ServiceIndex`, `Health`,
//! `Readiness`) and this document itself. Their schemas are written by hand
//! below, from those handlers; the tests hold them to the real answers.
//! (The yank answer and the compatibility matrix's entries are built with
//! `json!` too, but their shapes are types in `revitpy-api`, `YankResponse`
//! and `CompatibilityEntry`, which those handlers can serialize instead.)

use std::sync::LazyLock;

use revitpy_api as api;
use serde_json::Value;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::ArrayItems;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ArrayBuilder, Content, KnownFormat, ObjectBuilder, OneOfBuilder, PathItem, Paths, PathsBuilder, Ref, RefOr,
    Required, Response, ResponseBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{OpenApi, ToSchema};

/// The document as served, built once.
pub static JSON: LazyLock<String> =
    LazyLock::new(|| serde_json::to_string_pretty(&document()).expect("the OpenAPI document serializes"));

const DESCRIPTION: &str = "Package registry for RevitPy add-ins.\n\n\
Errors are `{\"detail\": \"...\"}` (see `ErrorBody`) with a 4xx status for a client mistake and a 5xx \
for a fault on the server's side (500s are not listed per operation). A write answers 503 with \
`Retry-After` when the database is unavailable (locked by another process past its busy timeout, its \
disk full); that 503 is listed only where it is the operation's own. An unknown path is 404 and a wrong \
method 405, in the same shape.\n\n\
Reads need no token. Writes need `Authorization: Bearer <token>`: no header, a malformed one, or an \
unknown or revoked token is 401; too few rights is 403.\n\n\
Every property of an answer is always present (null when it has no value), so the schemas of answers \
list all of them as required. Clients should ignore properties they do not know: new ones may be added.";

#[derive(OpenApi)]
#[openapi(
    info(title = "RevitPy Registry", description = DESCRIPTION),
    components(schemas(
        api::ErrorBody,
        api::SearchResponse,
        api::PackageDetail,
        api::CompatibilityResponse,
        api::StatsResponse,
        api::PackageDownloads,
        api::SearchPerformance,
        api::ErrorRate,
        api::ScanResults,
        api::UploadResponse,
        api::YankRequest,
        api::YankResponse,
        api::OwnersRequest,
        api::OwnersResponse,
        api::NewTokenRequest,
        api::NewTokenResponse,
        api::TokenInfo,
        api::NewKeyRequest,
        api::KeyInfo,
        api::SigningPolicy,
        api::SigningPolicyResponse,
        api::ChangesResponse,
        api::IndexResponse,
        api::SignedEnvelope,
        api::EnvelopeSignature,
        api::IndexRoots,
    ))
)]
struct Generated;

/// The whole document: the generated schemas, the hand-written ones, the
/// paths, the bearer scheme; then every property of every answer marked
/// required (see [`require_answer_properties`]).
pub fn document() -> Value {
    let mut doc = Generated::openapi();
    doc.paths = paths();
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .add_security_scheme(BEARER, SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    for (name, schema) in hand_written_schemas() {
        components.schemas.insert(name.to_owned(), schema.into());
    }
    let mut value = serde_json::to_value(&doc).expect("the OpenAPI document serializes");
    require_answer_properties(&mut value);
    refine_parameters(&mut value);
    value
}

/// What the parameter builder cannot say, found by fuzzing the document
/// (scripts/api-fuzz): on search and the change feed an empty value means
/// "not given" (`?package_type=` lists every type).
fn refine_parameters(doc: &mut Value) {
    let empty_is_absent: [(&str, &[&str]); 2] = [
        ("/api/packages/search", &["q", "revit_version", "package_type", "limit", "offset"]),
        ("/api/changes", &["since", "limit"]),
    ];
    for (path, names) in empty_is_absent {
        for p in doc["paths"][path]["get"]["parameters"].as_array_mut().into_iter().flatten() {
            if p["name"].as_str().is_some_and(|n| names.contains(&n)) {
                p["allowEmptyValue"] = Value::Bool(true);
            }
        }
    }
}

const BEARER: &str = "bearer";

fn paths() -> Paths {
    let name = || path_param("name", "package name, any spelling (compared normalized)");
    let version = || path_param("version", "PEP 440 version (`1.0` finds `1.0.0`)");
    let bad_path = "the path is not valid (not UTF-8)";
    let no_package = "no such package";
    let json_body_errors = |op: Op| {
        op.error(413, "the body is larger than 2 MB")
            .error(415, "the body is not declared `Content-Type: application/json`")
            .error(422, "the JSON lacks a field or has one of the wrong type")
    };

    PathsBuilder::new()
        .path(
            "/",
            get(Op::new("service_index", "Service index: name, version and the main endpoints")
                .answer(200, json_of(hand("ServiceIndex"), "the service")))
            .build(),
        )
        .path(
            "/health",
            get(Op::new("health", "Liveness and readiness of database and storage; the search index is reported, not counted")
                .answer(200, json_of(hand("Health"), "ready"))
                .answer(503, json_of(hand("Health"), "not ready: the database or the storage failed (see their `error`)")))
            .build(),
        )
        .path(
            "/api/stats",
            get(Op::new("stats", "Registry totals, downloads, and this process's recent search latency, error rate and scan verdicts")
                .answer(200, json::<api::StatsResponse>("totals")))
            .build(),
        )
        .path(
            "/metrics",
            get(Op::new("metrics", "Prometheus metrics (OpenMetrics 1.0 text); 404 when the server runs with METRICS=false")
                .answer(
                    200,
                    ResponseBuilder::new()
                        .description("the metrics")
                        .content("application/openmetrics-text", Content::new(Some(string()))),
                )
                .error(404, "metrics are turned off (METRICS=false)"))
            .build(),
        )
        .path(
            "/api/openapi.json",
            get(Op::new("openapi", "This document").answer(200, json_of(hand("OpenApiDocument"), "OpenAPI 3.1"))).build(),
        )
        .path(
            "/api/changes",
            get(Op::new(
                "changes",
                "Change feed: every publish, yank, unyank and owner change after a serial; 304 when unchanged",
            )
            .param(query_param("since", integer(Some(0)), "last serial seen (default 0)"))
            .param(query_param("limit", integer(None), "default 1000; larger is capped to 10000"))
            .param(if_none_match())
            .answer(
                200,
                json::<api::ChangesResponse>("changes; when `more`, ask again with `since` = the last serial")
                    .header("ETag", string_header("`\"serial-<S>-since-<N>\"`"))
                    .header("Cache-Control", string_header("`no-cache`")),
            )
            .answer(304, empty("nothing new since the ETag in `If-None-Match`"))
            .error(400, "`since` or `limit` is not a whole number"))
            .build(),
        )
        .path(
            "/api/index/snapshot",
            get(Op::new(
                "index_snapshot",
                "Every package with every version, for a client's offline index; streamed; 304 when unchanged. \
                 With `format=compact`: `application/zstd`, one zstd frame of JSON lines: \
                 `{\"format\":\"revitpy-index-lines\",\"version\":1,\"serial\":S}`, one `IndexPackage` per line, \
                 then `{\"end\":true,\"packages\":N}`",
            )
            .param(query_param("format", string(), "`json` (the default) or `compact`"))
            .param(if_none_match())
            .answer(
                200,
                json::<api::IndexResponse>("the snapshot (`missing` is empty)")
                    .content("application/zstd", Content::new(Some(binary())))
                    .header("ETag", string_header("`\"snapshot-<S>\"` (`\"snapshot-compact-<S>\"` when compact)")),
            )
            .answer(304, empty("unchanged since the ETag in `If-None-Match`"))
            .error(400, "`format` is neither `json` nor `compact`"))
            .build(),
        )
        .path(
            "/api/index/signed",
            get(Op::new(
                "index_signed",
                "The index document at the current serial (serial, expiry, digest of every package's names, versions, sha256s, sizes, yanked flags and signing keys), signed by the registry's index key",
            )
            .answer(200, json::<api::SignedEnvelope>("an envelope: `signed` is the JSON text the `signatures` cover")))
            .build(),
        )
        .path(
            "/api/index/roots",
            get(Op::new(
                "index_roots",
                "Every root document (which key signs the index), oldest first; each after the first is signed by the key before it",
            )
            .answer(200, json::<api::IndexRoots>("the chain of roots")))
            .build(),
        )
        .path(
            "/api/index/packages",
            get(Op::new("index_packages", "The snapshot's entries for named packages (after `/api/changes`)")
                .param(required(query_param("names", string(), "comma-separated package names, 1 to 500")))
                .answer(200, json::<api::IndexResponse>("those packages; names the registry lacks are in `missing`"))
                .error(400, "no names, more than 500, or an invalid name"))
            .build(),
        )
        .path(
            "/api/tokens",
            PathItem::new(
                HttpMethod::Post,
                json_body_errors(
                    Op::new(
                        "create_token",
                        "Create a token (admins for anyone; others for themselves, never wider than their own)",
                    )
                    .auth()
                    .body(json_body::<api::NewTokenRequest>())
                    .answer(201, json::<api::NewTokenResponse>("created; `token` is shown only here"))
                    .error(400, "malformed JSON, or a bad user name, scope, package or label")
                    .error(403, "not allowed: another user's token, or wider than the token used")
                    .answer(429, too_many("token creations", "RATE_LIMIT_TOKENS")),
                )
                .build(),
            )
            .tap(|item| {
                item.merge_operations(PathItem::new(
                    HttpMethod::Get,
                    Op::new("list_tokens", "List tokens (admins: all; others: their own), never the tokens themselves")
                        .auth()
                        .answer(200, json_of(array(schema_ref::<api::TokenInfo>()), "tokens"))
                        .build(),
                ))
            }),
        )
        .path(
            "/api/keys",
            PathItem::new(
                HttpMethod::Post,
                json_body_errors(
                    Op::new(
                        "add_key",
                        "Register a publisher's public key (Ed25519, one OpenSSH line) for the token's account (admins: any account)",
                    )
                    .auth()
                    .body(json_body::<api::NewKeyRequest>())
                    .answer(201, json::<api::KeyInfo>("registered"))
                    .error(400, "not an Ed25519 public key in OpenSSH's format, or a bad user name")
                    .error(403, "the token's scope does not allow it, or another account's key without admin rights")
                    .error(409, "the key is already registered (to this account or another)"),
                )
                .build(),
            )
            .tap(|item| {
                item.merge_operations(PathItem::new(
                    HttpMethod::Get,
                    Op::new("list_keys", "Registered public keys (public: anyone may check signatures)")
                        .param(query_param("user", string(), "one account's keys"))
                        .answer(200, json_of(array(schema_ref::<api::KeyInfo>()), "keys, revoked ones with `revoked_at`"))
                        .error(400, "a bad parameter")
                        .build(),
                ))
            }),
        )
        .path(
            "/api/keys/{id}",
            delete(
                Op::new("revoke_key", "Revoke a key: signatures it made stay; new uploads signed with it are refused")
                    .param(path_param_with("id", integer(None), "the key's id"))
                    .auth()
                    .answer(200, json::<api::KeyInfo>("revoked (or already revoked)"))
                    .error(400, "the id is not a whole number")
                    .error(403, "the token's scope does not allow it")
                    .error(404, "no such key (another account's key, to a non-admin)"),
            )
            .build(),
        )
        .path(
            "/api/packages/{name}/signing",
            put(json_body_errors(
                Op::new(
                    "set_signing_policy",
                    "Require (or stop requiring) every new version to be signed by one of the owners' registered keys; owners or admins",
                )
                .param(name())
                .auth()
                .body(json_body::<api::SigningPolicy>())
                .answer(200, json::<api::SigningPolicyResponse>("the policy as set"))
                .error(400, bad_path)
                .error(403, "not an owner, or the token does not allow it")
                .error(404, no_package),
            ))
            .build(),
        )
        .path(
            "/api/tokens/{id}",
            delete(
                Op::new("revoke_token", "Revoke a token; answers its record")
                    .param(path_param_with("id", integer(None), "the token's id"))
                    .auth()
                    .answer(200, json::<api::TokenInfo>("revoked (or already revoked)"))
                    .error(400, "the id is not a whole number")
                    .error(403, "the token to revoke has more rights than the token used")
                    .error(404, "no such token (another user's token, to a non-admin)"),
            )
            .build(),
        )
        .path(
            "/api/packages/search",
            get(Op::new(
                "search",
                "Ranked search: exact name, then name prefix, then relevance (name > keywords > summary > description); ties by downloads",
            )
            .param(query_param("q", string(), "words, at most 256 characters; `*` or empty lists everything"))
            .param(query_param("revit_version", string(), "a Revit year; keeps packages whose latest version supports it"))
            .param(query_param("package_type", schema_ref::<api::PackageType>(), "keeps packages of this type"))
            .param(query_param("limit", integer(Some(0)), "default 20; larger is capped to 100"))
            .param(query_param("offset", integer(Some(0)), "default 0, at most 100000"))
            .answer(200, json::<api::SearchResponse>("results"))
            .error(400, "a bad parameter")
            .answer(429, too_many("searches", "RATE_LIMIT_SEARCHES")))
            .build(),
        )
        .path(
            "/api/packages/upload",
            PathItem::new(
                HttpMethod::Post,
                Op::new(
                    "upload",
                    "Publish a version. The manifest inside the package is the truth; the package is scanned and refused at or above SCAN_BLOCK_SEVERITY",
                )
                .auth()
                .param(query_param(
                    "metadata",
                    string(),
                    "the original's metadata JSON; its name and version must agree with the manifest",
                ))
                .body(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content("multipart/form-data", Content::new(Some(upload_form())))
                        .build(),
                )
                .answer(200, json::<api::UploadResponse>("published"))
                .error(400, "not multipart, no `file`, an invalid package or metadata, a reserved name or a local version label")
                .error(403, "the token's scope or package does not allow it, or not an owner")
                .error(408, "the body stopped sending data for REQUEST_BODY_TIMEOUT seconds")
                .error(409, "this version (equal under PEP 440) exists")
                .error(413, "larger than MAX_UPLOAD_MB")
                .answer(429, too_many("uploads", "RATE_LIMIT_UPLOADS"))
                .error(
                    422,
                    "refused by the security scan: a finding at or above SCAN_BLOCK_SEVERITY (default critical); the detail names the risk level and the worst findings; nothing is stored",
                )
                .answer(
                    503,
                    unavailable(
                        "every scan turn is taken (SCAN_CONCURRENCY) and none freed within SCAN_QUEUE_TIMEOUT; or the database or package storage is unavailable (locked, disk full, folder gone)",
                    ),
                )
                .build(),
            ),
        )
        .path(
            "/api/packages/{name}",
            get(Op::new("package", "A package and its versions (`search` and `upload` are reserved: those paths are the search and upload operations)")
                .param(name())
                .answer(200, json::<api::PackageDetail>("the package"))
                .error(400, bad_path)
                .error(404, no_package)
                .error(405, "`/api/packages/upload` is the upload operation: POST only"))
            .build(),
        )
        .path(
            "/api/packages/{name}/compatibility",
            get(Op::new("compatibility", "Revit compatibility per version")
                .param(name())
                .answer(200, json::<api::CompatibilityResponse>("the matrix"))
                .error(400, bad_path)
                .error(404, no_package))
            .build(),
        )
        .path("/api/packages/{name}/owners", {
            let change = |id: &str, summary: &str, bad: &str| {
                json_body_errors(
                    Op::new(id, summary)
                        .param(name())
                        .auth()
                        .body(json_body::<api::OwnersRequest>())
                        .answer(200, json::<api::OwnersResponse>("the owners after the change"))
                        .error(400, bad)
                        .error(403, "not an owner, or the token's scope or package does not allow it"),
                )
            };
            get(Op::new("owners", "A package's owners")
                .param(name())
                .answer(200, json::<api::OwnersResponse>("the owners"))
                .error(400, bad_path)
                .error(404, no_package))
            .build()
            .tap(|item| {
                item.merge_operations(PathItem::new(
                    HttpMethod::Put,
                    change(
                        "add_owners",
                        "Add owners (existing users)",
                        "malformed JSON, or not 1 to 100 valid user names",
                    )
                    .error(404, "no such package or user")
                    .build(),
                ));
                item.merge_operations(PathItem::new(
                    HttpMethod::Delete,
                    change(
                        "remove_owners",
                        "Remove owners (never the last one)",
                        "malformed JSON, not 1 to 100 valid user names, or the last owner",
                    )
                    .error(404, no_package)
                    .build(),
                ));
            })
        })
        .path(
            "/api/packages/{name}/{version}/download",
            get(Op::new(
                "download",
                "The .rpyx file (HEAD too). Immutable: ETag is the sha256. One byte range (206); a matching If-None-Match is 304; yanked versions stay downloadable by exact version",
            )
            .param(name())
            .param(version())
            .param(header_param("Range", "one range: `bytes=a-b`, `bytes=a-` or `bytes=-n`; several get the whole file"))
            .param(header_param("If-Range", "the ETag; when it differs, a Range gets the whole file"))
            .param(if_none_match())
            .answer(
                200,
                file_headers(
                    ResponseBuilder::new()
                        .description("the file")
                        .content("application/octet-stream", Content::new(Some(binary()))),
                )
                .header("Content-Disposition", string_header("`attachment; filename=\"<name>-<version>.rpyx\"`"))
                .header("Content-Length", Header::new(integer(Some(0)))),
            )
            .answer(
                206,
                file_headers(
                    ResponseBuilder::new()
                        .description("the byte range asked for")
                        .content("application/octet-stream", Content::new(Some(binary()))),
                )
                .header("Content-Range", string_header("`bytes a-b/size`")),
            )
            .answer(
                302,
                file_headers(ResponseBuilder::new().description("where CDN_BASE_URL is set: the file on the CDN"))
                    .header("Location", string_header("`CDN_BASE_URL/ab/cd/<sha256>`")),
            )
            .answer(304, file_headers(ResponseBuilder::new().description("not modified (If-None-Match)")))
            .error(400, bad_path)
            .error(404, "no such package or version")
            .answer(
                416,
                error_response("the range is outside the file")
                    .header("Content-Range", string_header("`bytes */size`")),
            )
            .answer(503, unavailable("the package storage is unavailable (its folder gone, no permission)")))
            .build(),
        )
        .path(
            "/api/packages/{name}/{version}/yank",
            put(yank_op("yank", "Yank: hidden from latest and search, still downloadable by exact version")
                .param(name())
                .param(version()))
            .build(),
        )
        .path(
            "/api/packages/{name}/{version}/unyank",
            put(yank_op("unyank", "Undo a yank").param(name()).param(version())).build(),
        )
        .build()
}

fn yank_op(id: &str, summary: &str) -> Op {
    Op::new(id, summary)
        .auth()
        .body(
            RequestBodyBuilder::new()
                .description(Some("optional; any content type; an empty body is no reason"))
                .required(Some(Required::False))
                .content("application/json", Content::new(Some(schema_ref::<api::YankRequest>())))
                .build(),
        )
        .answer(200, json::<api::YankResponse>("the version's yank state (unchanged when it already was)"))
        .error(400, "malformed JSON or a reason over 1024 bytes")
        .error(403, "not an owner, or the token's scope or package does not allow it")
        .error(404, "no such package or version")
        .error(413, "the body is larger than 2 MB")
}

/// An operation under construction; `auth` adds the bearer requirement and
/// its 401, so no authenticated operation can forget either.
struct Op(OperationBuilder);

impl Op {
    fn new(id: &str, summary: &str) -> Self {
        Op(OperationBuilder::new().operation_id(Some(id)).summary(Some(summary)))
    }

    fn auth(self) -> Self {
        Op(self.0.security(SecurityRequirement::new(BEARER, Vec::<String>::new())))
            .error(401, "no token, a malformed Authorization header, or an unknown or revoked token")
    }

    fn param(self, parameter: Parameter) -> Self {
        Op(self.0.parameter(parameter))
    }

    fn body(self, body: utoipa::openapi::request_body::RequestBody) -> Self {
        Op(self.0.request_body(Some(body)))
    }

    fn answer(self, status: u16, response: impl Into<RefOr<Response>>) -> Self {
        Op(self.0.response(status.to_string(), response))
    }

    fn error(self, status: u16, description: &str) -> Self {
        self.answer(status, error_response(description))
    }

    fn build(self) -> Operation {
        self.0.build()
    }
}

fn get(op: Op) -> PathItemOf {
    PathItemOf(HttpMethod::Get, op)
}
fn put(op: Op) -> PathItemOf {
    PathItemOf(HttpMethod::Put, op)
}
fn delete(op: Op) -> PathItemOf {
    PathItemOf(HttpMethod::Delete, op)
}

/// A path item with its first operation; others are merged in with `tap`.
struct PathItemOf(HttpMethod, Op);

impl PathItemOf {
    fn build(self) -> PathItem {
        PathItem::new(self.0, self.1.build())
    }
}

/// Changes a builder-made value in place (the builders have no setter for
/// every field).
trait Tap: Sized {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}
impl<T> Tap for T {}

/// A hand-written schema (a dangling name fails `every_reference_resolves`).
fn hand(name: &str) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

fn schema_ref<T: ToSchema>() -> RefOr<Schema> {
    Ref::from_schema_name(T::name()).into()
}

/// 503 with Retry-After: busy or unavailable, not broken.
fn unavailable(description: &str) -> ResponseBuilder {
    error_response(description)
        .header("Retry-After", Header::new(integer(Some(0))).tap(|h| h.description = Some("seconds".to_owned())))
}

/// 429 with Retry-After: past a rate limit, per client address and token.
fn too_many(what: &str, setting: &str) -> ResponseBuilder {
    error_response(&format!("too many {what} from this address or token ({setting}); retry after Retry-After seconds"))
        .header("Retry-After", Header::new(integer(Some(1))).tap(|h| h.description = Some("seconds".to_owned())))
}

fn json_of(schema: impl Into<RefOr<Schema>>, description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content("application/json", Content::new(Some(schema)))
}

fn json<T: ToSchema>(description: &str) -> ResponseBuilder {
    json_of(schema_ref::<T>(), description)
}

fn json_body<T: ToSchema>() -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content("application/json", Content::new(Some(schema_ref::<T>())))
        .build()
}

fn error_response(description: &str) -> ResponseBuilder {
    json::<api::ErrorBody>(description)
}

fn empty(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description)
}

/// The headers every answer about a file carries.
fn file_headers(response: ResponseBuilder) -> ResponseBuilder {
    response
        .header("ETag", string_header("`\"<sha256>\"`"))
        .header("Cache-Control", string_header("`public, max-age=31536000, immutable`"))
        .header("Accept-Ranges", string_header("`bytes`"))
}

fn string_header(description: &str) -> Header {
    Header::new(string()).tap(|h| h.description = Some(description.to_owned()))
}

fn string() -> Schema {
    ObjectBuilder::new().schema_type(Type::String).build().into()
}

fn integer(minimum: Option<i64>) -> Schema {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(minimum).build().into()
}

fn binary() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
        .build()
        .into()
}

fn array(items: impl Into<RefOr<Schema>>) -> Schema {
    ArrayBuilder::new().items(ArrayItems::RefOrSchema(Box::new(items.into()))).build().into()
}

fn path_param(name: &str, description: &str) -> Parameter {
    path_param_with(name, string(), description)
}

fn path_param_with(name: &str, schema: Schema, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema))
        .description(Some(description))
        .build()
}

fn query_param(name: &str, schema: impl Into<RefOr<Schema>>, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .schema(Some(schema))
        .description(Some(description))
        .build()
}

fn required(mut parameter: Parameter) -> Parameter {
    parameter.required = Required::True;
    parameter
}

fn header_param(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .schema(Some(string()))
        .description(Some(description))
        .build()
}

fn if_none_match() -> Parameter {
    header_param("If-None-Match", "an ETag from an earlier answer")
}

/// `file` (the .rpyx) and the optional `metadata` form field.
fn upload_form() -> Schema {
    ObjectBuilder::new()
        .property("file", binary())
        .property(
            "metadata",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("the original's metadata JSON, at most 64 KiB (also accepted as a query parameter)")),
        )
        .property(
            "signature",
            ObjectBuilder::new().schema_type(Type::String).description(Some(
                "a detached SSHSIG (`registry sign`) over the package's name, version and sha256, at most 16 KiB; refused with 400 unless it verifies",
            )),
        )
        .required("file")
        .build()
        .into()
}

/// Schemas of the answers built with `json!` (see the module comment): from
/// `routes::system::{root, health}`.
fn hand_written_schemas() -> Vec<(&'static str, Schema)> {
    let string_map = ObjectBuilder::new().additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)));
    let service_index = ObjectBuilder::new()
        .property("name", string())
        .property("version", string())
        .property("endpoints", string_map.description(Some("endpoint name to path")))
        .build();
    let readiness = OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["ok"])))
        .item(ObjectBuilder::new().property("error", string()).required("error"))
        .description(Some("`\"ok\"`, or what failed"))
        .build();
    let nullable_integer =
        ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::Integer, Type::Null]));
    let search = ObjectBuilder::new()
        .property(
            "indexed_serial",
            nullable_integer.description(Some("the serial the index has caught up to; null before its first catch-up")),
        )
        .property(
            "serial",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .description(Some("the registry's serial (-1 when the database cannot say)")),
        )
        .property("packages", integer(Some(0)))
        .description(Some("for information; does not change the status"));
    let health = ObjectBuilder::new()
        .property("status", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["ok", "unavailable"])))
        .property("database", hand("Readiness"))
        .property("storage", hand("Readiness"))
        .property("search", search)
        .property("version", string())
        .property("uptime_seconds", integer(Some(0)))
        .build();
    let document = ObjectBuilder::new()
        .property("openapi", string())
        .property("info", ObjectBuilder::new())
        .property("paths", ObjectBuilder::new())
        .property("components", ObjectBuilder::new())
        .description(Some("an OpenAPI 3.1 document: this one"))
        .build();
    vec![
        ("ServiceIndex", service_index.into()),
        ("Readiness", readiness.into()),
        ("Health", health.into()),
        ("OpenApiDocument", document.into()),
    ]
}

/// Marks every property of every answer's schema required, as the
/// document's description promises. The types mark `Option` and
/// `#[serde(default)]` fields optional because that is how clients read
/// them (from older registries too); this server always writes them.
/// Request bodies keep what the types say (`label` in a new token is
/// optional). An object schema used by both is refused: it would need
/// both rules (enums such as `TokenScope` may be shared).
fn require_answer_properties(doc: &mut Value) {
    let answers = reachable(doc, &["responses"]);
    let requests = reachable(doc, &["requestBody", "parameters"]);
    let has_properties = |name: &String| doc["components"]["schemas"][name].get("properties").is_some();
    if let Some(both) = answers.iter().find(|name| requests.contains(*name) && has_properties(name)) {
        panic!("the object schema {both} is used in both requests and answers");
    }
    let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut).expect("components");
    for name in answers {
        if let Some(schema) = schemas.get_mut(&name) {
            require_all(schema);
        }
    }
    // Schemas written inline in the answers themselves. (`get_mut`, not
    // `[...]`: indexing would add `null` where a key is missing.)
    for item in members(doc.get_mut("paths")) {
        for op in members(Some(item)) {
            for response in members(op.get_mut("responses")) {
                for content in members(response.get_mut("content")) {
                    if let Some(schema) = content.get_mut("schema") {
                        require_all(schema);
                    }
                }
            }
        }
    }
}

/// The values of an object (none for anything else, or nothing).
fn members(v: Option<&mut Value>) -> impl Iterator<Item = &mut Value> {
    v.and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut())
}

/// Names of the component schemas referenced, directly or through other
/// schemas, under the given keys of every operation.
fn reachable(doc: &Value, keys: &[&str]) -> std::collections::BTreeSet<String> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v.as_str().and_then(|r| r.strip_prefix("#/components/schemas/"))) {
                        ("$ref", Some(name)) => out.push(name.to_owned()),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for item in doc["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            for key in keys {
                refs(&op[*key], &mut todo);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&doc["components"]["schemas"][&name], &mut todo);
        }
    }
    seen
}

/// `required` = every property, in this schema and the ones written inside it.
fn require_all(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else { return };
    if let Some(props) = map.get("properties").and_then(Value::as_object) {
        let names: Vec<Value> = props.keys().cloned().map(Value::String).collect();
        map.insert("required".to_owned(), Value::Array(names));
    }
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "properties" => value.as_object_mut().into_iter().flat_map(|p| p.values_mut()).for_each(require_all),
            "items" | "additionalProperties" => require_all(value),
            "allOf" | "oneOf" | "anyOf" => value.as_array_mut().into_iter().flatten().for_each(require_all),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` points at a schema the document has (a type listed in
    /// no `components(schemas(...))` and reached by no listed type would
    /// leave a dangling one).
    #[test]
    fn every_reference_resolves() {
        let doc = document();
        fn walk(v: &Value, doc: &Value) {
            match v {
                Value::Object(map) => {
                    if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                        let pointer = r.strip_prefix('#').expect("local reference");
                        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
                    }
                    map.values().for_each(|v| walk(v, doc));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, doc)),
                _ => {}
            }
        }
        walk(&doc, &doc);
    }

    /// OpenAPI has no `null` values (a schema says "null" as `"type":
    /// "null"`); one in the document is a key added by mistake, such as
    /// `"content": null` on a 304, which makes the document invalid.
    #[test]
    fn nothing_is_null() {
        fn walk(v: &Value, at: &str) {
            match v {
                Value::Null => panic!("null at {at}"),
                Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, &format!("{at}/{k}"))),
                Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| walk(v, &format!("{at}/{i}"))),
                _ => {}
            }
        }
        walk(&document(), "");
    }

    #[test]
    fn answers_require_every_property_and_requests_keep_optional_ones() {
        let doc = document();
        let required = |schema: &str| -> Vec<String> {
            serde_json::from_value(doc["components"]["schemas"][schema]["required"].clone()).unwrap_or_default()
        };
        // `homepage_url` is an `Option`, `author` a `#[serde(default)]`: both always sent.
        assert!(required("PackageInfo").contains(&"homepage_url".to_owned()));
        assert!(required("SearchResult").contains(&"author".to_owned()));
        assert!(required("ScanReport").contains(&"scanned_at".to_owned()));
        assert_eq!(required("NewTokenRequest"), ["user", "scope"]);
        assert!(required("YankRequest").is_empty());
    }

    #[test]
    fn the_served_text_is_the_document() {
        let parsed: Value = serde_json::from_str(&JSON).unwrap();
        assert_eq!(parsed, document());
        assert_eq!(parsed["openapi"], "3.1.0");
        assert_eq!(parsed["info"]["version"], env!("CARGO_PKG_VERSION"));
    }
}
