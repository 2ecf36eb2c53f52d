//! The OpenAPI document of the JSON API, generated from the handlers' annotations and
//! committed as `docs/openapi.json`; a test fails when the two drift apart.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Baraza API",
        description = "Cases raised by citizens, their journal and lifecycle. Authenticate with \
            `Authorization: Bearer <token>` (create one with `baraza token create`). Errors are \
            RFC 9457 problem documents with a stable `code`.",
        license(name = "AGPL-3.0-or-later"),
    ),
    paths(
        crate::api::jurisdiction,
        crate::api::cases::create_case,
        crate::api::cases::list_cases,
        crate::api::cases::get_case,
        crate::api::cases::act,
        crate::api::information::create,
        crate::api::information::list,
        crate::api::information::get,
        crate::api::information::upload,
        crate::api::plans::list,
        crate::api::plans::get,
        crate::api::plans::create,
        crate::api::plans::act,
        crate::api::projects::list,
        crate::api::projects::get,
        crate::api::projects::create,
        crate::api::projects::act,
    ),
    modifiers(&BearerAuth),
    tags((name = "cases", description = "Concerns raised by citizens"), (name = "reference data", description = "Hierarchy, departments, categories"), (name = "information requests", description = "Access to information requests, with their statutory clocks"), (name = "action plans", description = "Open government action plans: commitments, milestones, evidence, proposals and reviews"), (name = "projects", description = "Public projects and their contracting: OCDS releases, PMC reports, documents"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
